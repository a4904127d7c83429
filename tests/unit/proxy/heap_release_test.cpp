#include "proxy/heap_release.hpp"

#include <doctest/doctest.h>

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

TEST_CASE("the process's allocator is named and its resident size is readable") {
    auto allocator = minewall::proxy::process_heap_allocator();
    // This test binary is built with the sanitizers (scripts/test.sh) or without them.
    CHECK((allocator.name == "sanitizer" || allocator.name == "glibc" ||
           allocator.name == "tcmalloc"));
    CHECK(minewall::proxy::resident_bytes() > 0);
}
