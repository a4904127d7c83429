#include "proxy/heap_release.hpp"

#include <dlfcn.h>
#include <malloc.h>

namespace minewall::proxy {
namespace {

// gperftools' C interface (gperftools/malloc_extension_c.h), looked up rather than linked.
using GetNumericProperty = int (*)(const char*, std::size_t*);
using ReleaseFreeMemory = void (*)();

struct Tcmalloc {
    GetNumericProperty get = nullptr;
    ReleaseFreeMemory release = nullptr;
};

const Tcmalloc& tcmalloc() {
    static const Tcmalloc found = [] {
        Tcmalloc t;
        t.get = reinterpret_cast<GetNumericProperty>(
            dlsym(RTLD_DEFAULT, "MallocExtension_GetNumericProperty"));
        t.release = reinterpret_cast<ReleaseFreeMemory>(
            dlsym(RTLD_DEFAULT, "MallocExtension_ReleaseFreeMemory"));
        if (!t.get || !t.release) t = {};
        return t;
    }();
    return found;
}

}  // namespace

HeapRelease release_free_heap(std::size_t threshold_bytes) {
    HeapRelease result;
    if (const auto& tc = tcmalloc(); tc.get) {
        result.allocator = "tcmalloc";
        // Free pages of the page heap that are still mapped; what thread and size-class caches
        // hold is not counted (tcmalloc keeps that bounded itself).
        std::size_t free_bytes = 0;
        if (tc.get("tcmalloc.pageheap_free_bytes", &free_bytes)) result.free_bytes = free_bytes;
        if (result.free_bytes >= threshold_bytes && result.free_bytes > 0) {
            tc.release();
            result.released = true;
        }
        return result;
    }
    result.allocator = "glibc";
    // Free bytes in all arenas (fordblks counts chunks in bins and the top chunk).
    result.free_bytes = mallinfo2().fordblks;
    if (result.free_bytes >= threshold_bytes && result.free_bytes > 0) {
        malloc_trim(0);
        result.released = true;
    }
    return result;
}

}  // namespace minewall::proxy
