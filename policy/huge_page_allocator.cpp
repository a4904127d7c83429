#include "policy/huge_page_allocator.hpp"

#include <sys/mman.h>

#include <cstdlib>

namespace minewall::policy {

void* allocate_huge_page_aware(std::size_t bytes) {
    if (bytes < kHugePageBytes) return ::operator new(bytes);
    std::size_t rounded = (bytes + kHugePageBytes - 1) / kHugePageBytes * kHugePageBytes;
    void* block = std::aligned_alloc(kHugePageBytes, rounded);
    if (!block) throw std::bad_alloc();
    // Advice only: with THP set to "never" (or no THP at all) this fails and nothing changes.
    (void)madvise(block, rounded, MADV_HUGEPAGE);
    return block;
}

void release_huge_page_aware(void* block, std::size_t bytes) noexcept {
    if (bytes < kHugePageBytes)
        ::operator delete(block);
    else
        std::free(block);
}

}  // namespace minewall::policy
