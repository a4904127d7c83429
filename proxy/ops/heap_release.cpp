#include "proxy/ops/heap_release.hpp"

#include <dlfcn.h>
#include <malloc.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>

namespace minewall::proxy {
namespace {

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool kSanitizerAllocator = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
constexpr bool kSanitizerAllocator = true;
#else
constexpr bool kSanitizerAllocator = false;
#endif
#else
constexpr bool kSanitizerAllocator = false;
#endif

// gperftools' C interface (gperftools/malloc_extension_c.h), looked up rather than linked.
using GetNumericProperty = int (*)(const char*, std::size_t*);
using ReleaseFreeMemory = void (*)();

}  // namespace

HeapAllocator process_heap_allocator() {
    if (kSanitizerAllocator) return {"sanitizer", [] { return std::size_t{0}; }, [] {}};
    auto get = reinterpret_cast<GetNumericProperty>(
        dlsym(RTLD_DEFAULT, "MallocExtension_GetNumericProperty"));
    auto release = reinterpret_cast<ReleaseFreeMemory>(
        dlsym(RTLD_DEFAULT, "MallocExtension_ReleaseFreeMemory"));
    if (get && release) {
        // Free pages of the page heap that are still mapped; what thread and size-class caches
        // hold is not counted (tcmalloc keeps that bounded itself).
        auto free_bytes = [get] {
            std::size_t bytes = 0;
            return get("tcmalloc.pageheap_free_bytes", &bytes) ? bytes : std::size_t{0};
        };
        return {"tcmalloc", free_bytes, release};
    }
    // Free bytes in all arenas (chunks in the bins and the top chunk).
    return {"glibc", [] { return static_cast<std::size_t>(mallinfo2().fordblks); },
            [] { malloc_trim(0); }};
}

std::size_t resident_bytes() {
    std::ifstream statm("/proc/self/statm");
    std::size_t total_pages = 0;
    std::size_t resident_pages = 0;
    if (!(statm >> total_pages >> resident_pages)) return 0;
    return resident_pages * static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
}

HeapReleaser::HeapReleaser(HeapAllocator allocator, std::size_t threshold,
                           std::function<std::size_t()> resident)
    : allocator_(std::move(allocator)), threshold_(threshold), resident_(std::move(resident)) {}

HeapReleaser::Outcome HeapReleaser::tick() {
    Outcome out;
    out.free_bytes = allocator_.free_bytes();
    // Memory reused since the last release lowers the mark: freed again, it counts anew.
    free_after_release_ = std::min(free_after_release_, out.free_bytes);
    if (out.free_bytes == 0 || out.free_bytes - free_after_release_ < threshold_) return out;
    const std::size_t before = resident_();
    allocator_.release();
    const std::size_t after = resident_();
    out.released = true;
    out.resident_drop = before > after ? before - after : 0;
    free_after_release_ = allocator_.free_bytes();
    return out;
}

}  // namespace minewall::proxy
