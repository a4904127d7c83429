#pragma once
// Gives the heap's free memory back to the operating system. Allocators keep what a burst of
// traffic freed (a thousand 1 MiB downloads left ~500 MiB resident with glibc, ~600 MiB with
// tcmalloc, long after the connections had closed); the server ticks a HeapReleaser on a
// timer, so the resident size follows the load back down.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string_view>

namespace minewall::proxy {

// What the releaser needs from an allocator (injected, so the decisions are testable).
struct HeapAllocator {
    std::string_view name;                    // "tcmalloc", "glibc" or "sanitizer"
    std::function<std::size_t()> free_bytes;  // free memory it holds and could hand back
    std::function<void()> release;            // hands that memory back to the OS
};

// The allocator of this process: tcmalloc when linked or preloaded (found at run time, so this
// module needs no link dependency on it), glibc's otherwise; under ASan/TSan the sanitizer's,
// which keeps freed memory in its quarantine and is left alone.
HeapAllocator process_heap_allocator();
// This process's resident size (/proc/self/statm), 0 when unreadable.
std::size_t resident_bytes();

class HeapReleaser {
  public:
    struct Outcome {
        bool released = false;
        std::size_t free_bytes = 0;     // free heap memory held when ticked
        std::size_t resident_drop = 0;  // by how much the resident size fell on release
    };

    HeapReleaser(HeapAllocator allocator, std::size_t threshold,
                 std::function<std::size_t()> resident = resident_bytes);

    // Releases once `threshold` bytes are free beyond what was still counted free after the
    // last release. The comparison matters for glibc: malloc_trim gives pages back with
    // madvise and leaves the chunks in its bins, so its free count does not fall and a plain
    // threshold would trim again on every tick.
    Outcome tick();

    std::string_view allocator_name() const { return allocator_.name; }

  private:
    HeapAllocator allocator_;
    std::size_t threshold_;
    std::function<std::size_t()> resident_;
    std::size_t free_after_release_ = 0;
};

}  // namespace minewall::proxy
