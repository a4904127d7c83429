#include "proxy/ops/heap_release.hpp"

#include <doctest/doctest.h>

#include <cstdlib>
#include <cstring>
#include <vector>

using minewall::proxy::HeapAllocator;
using minewall::proxy::HeapReleaser;

namespace {

constexpr std::size_t MiB = std::size_t{1} << 20;

// An allocator whose free count the test sets; `keeps_count` models glibc (malloc_trim gives
// pages back but its free count stays), otherwise the count drops to zero like tcmalloc's.
struct FakeAllocator {
    std::size_t free = 0;
    std::size_t resident = 100 * MiB;
    int releases = 0;
    bool keeps_count = false;

    HeapReleaser releaser(std::size_t threshold) {
        HeapAllocator a{"fake", [this] { return free; },
                        [this] {
                            ++releases;
                            resident -= free;
                            if (!keeps_count) free = 0;
                        }};
        return HeapReleaser(a, threshold, [this] { return resident; });
    }
};

}  // namespace

TEST_CASE("free heap memory is handed back once the threshold is reached") {
    FakeAllocator heap;
    auto releaser = heap.releaser(16 * MiB);
    heap.free = 15 * MiB;
    CHECK_FALSE(releaser.tick().released);
    heap.free = 40 * MiB;
    auto out = releaser.tick();
    CHECK(out.released);
    CHECK(out.free_bytes == 40 * MiB);
    CHECK(out.resident_drop == 40 * MiB);
    CHECK(heap.releases == 1);
    CHECK_FALSE(releaser.tick().released);  // nothing free any more
    heap.free = 20 * MiB;                   // the next burst
    CHECK(releaser.tick().released);
    CHECK(heap.releases == 2);
}

TEST_CASE("an allocator whose free count stays after a release is not trimmed every tick") {
    FakeAllocator heap;
    heap.keeps_count = true;
    auto releaser = heap.releaser(16 * MiB);
    heap.free = 40 * MiB;
    CHECK(releaser.tick().released);
    for (int i = 0; i < 5; ++i)
        CHECK_FALSE(releaser.tick().released);
    CHECK(heap.releases == 1);
    heap.free = 50 * MiB;  // 10 MiB more freed: below the threshold
    CHECK_FALSE(releaser.tick().released);
    heap.free = 10 * MiB;  // reused...
    CHECK_FALSE(releaser.tick().released);
    heap.free = 30 * MiB;  // ...and 20 MiB freed again: counts from the lower mark
    CHECK(releaser.tick().released);
    CHECK(heap.releases == 2);
}

TEST_CASE("the process's allocator is the one this binary was built with, and releases memory") {
    auto allocator = minewall::proxy::process_heap_allocator();
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
    // ASan/TSan keep freed memory in their quarantine: the releaser must leave them alone.
    CHECK(allocator.name == "sanitizer");
    CHECK(allocator.free_bytes() == 0);
#else
    // This test binary is not linked with tcmalloc (only the minewall binary is).
    REQUIRE(allocator.name == "glibc");
    // 48 MiB in 16 KiB blocks: below glibc's mmap threshold, so they live in the heap and stay
    // there when freed; a block allocated after them keeps the heap top from shrinking by itself.
    constexpr std::size_t block = 16 * 1024;
    std::vector<char*> blocks;
    for (std::size_t i = 0; i < 48 * MiB / block; ++i) {
        blocks.push_back(static_cast<char*>(std::malloc(block)));
        std::memset(blocks.back(), 1, block);
    }
    void* pin = std::malloc(64);
    for (auto* b : blocks)
        std::free(b);
    CHECK(allocator.free_bytes() >= 40 * MiB);
    const auto before = minewall::proxy::resident_bytes();
    allocator.release();
    const auto after = minewall::proxy::resident_bytes();
    CHECK_MESSAGE(after + 32 * MiB <= before, "resident " << before << " -> " << after);
    std::free(pin);
#endif
}
