#pragma once
// An allocator for the large, randomly probed arrays of a big feed (DomainSet's hash table and
// name arena): blocks of 2 MiB or more are 2 MiB-aligned and marked for transparent huge pages,
// so a look-up that lands anywhere in a 16 MiB table costs no TLB miss (with 4 KiB pages, a
// million-name table spans ~10,000 pages, more than the TLB holds). Smaller blocks come from
// operator new as usual. Where the kernel offers no huge pages the memory is ordinary.
#include <cstddef>
#include <new>

namespace minewall::policy {

inline constexpr std::size_t kHugePageBytes = std::size_t{2} << 20;

// Untyped halves, in the .cpp (keeps <sys/mman.h> out of headers). `bytes` must be the same in
// both calls.
void* allocate_huge_page_aware(std::size_t bytes);
void release_huge_page_aware(void* block, std::size_t bytes) noexcept;

template <class T>
struct HugePageAllocator {
    using value_type = T;

    HugePageAllocator() = default;
    template <class U>
    HugePageAllocator(const HugePageAllocator<U>&) noexcept {}

    T* allocate(std::size_t n) {
        if (n > static_cast<std::size_t>(-1) / sizeof(T)) throw std::bad_array_new_length();
        return static_cast<T*>(allocate_huge_page_aware(n * sizeof(T)));
    }
    void deallocate(T* p, std::size_t n) noexcept { release_huge_page_aware(p, n * sizeof(T)); }

    template <class U>
    bool operator==(const HugePageAllocator<U>&) const noexcept {
        return true;
    }
};

}  // namespace minewall::policy
