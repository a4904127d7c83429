#pragma once
// Gives the heap's free memory back to the operating system. Allocators keep what a burst of
// traffic freed (a thousand 1 MiB downloads left ~500 MiB resident with glibc, ~600 MiB with
// tcmalloc, long after the connections had closed); the server calls release_free_heap() on a
// timer, so the resident size follows the load back down.
#include <cstddef>
#include <string_view>

namespace minewall::proxy {

struct HeapRelease {
    std::string_view allocator;  // "tcmalloc" or "glibc"
    std::size_t free_bytes = 0;  // free heap memory still held before this call
    bool released = false;       // free_bytes reached the threshold and was handed back
};

// Hands free heap memory back when at least `threshold_bytes` of it is held. Uses tcmalloc's
// MallocExtension when tcmalloc is the allocator (linked or preloaded: found at run time, so
// this module needs no link dependency on it), glibc's malloc_trim otherwise.
HeapRelease release_free_heap(std::size_t threshold_bytes);

}  // namespace minewall::proxy
