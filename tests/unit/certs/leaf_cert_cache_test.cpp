#include "certs/leaf_cert_cache.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <thread>
#include <vector>

using namespace minewall::certs;

namespace {

std::shared_ptr<const CertificateAuthority> test_ca() {
    static const auto ca = generate_ca({.host_label = "cache-test"}).ca;
    REQUIRE(ca);
    return ca;
}

// Mints with a real issuer, counting calls per host and optionally slowing down.
struct CountingMinter {
    std::shared_ptr<LeafIssuer> issuer = std::make_shared<LeafIssuer>(test_ca());
    std::shared_ptr<std::atomic<int>> calls = std::make_shared<std::atomic<int>>(0);
    std::chrono::milliseconds delay{0};

    LeafCertCache::MintFunction function() {
        return [issuer = issuer, calls = calls, delay = delay](std::string_view host) {
            calls->fetch_add(1);
            std::this_thread::sleep_for(delay);
            return issuer->mint(host);
        };
    }
};

}  // namespace

TEST_CASE("mints once when many threads ask for the same host at the same time") {
    CountingMinter minter;
    minter.delay = std::chrono::milliseconds(50);
    LeafCertCache cache(minter.function());

    constexpr int threads = 8;
    std::vector<std::shared_ptr<const MintedLeaf>> results(threads);
    std::vector<std::thread> pool;
    std::atomic<int> ready{0};
    for (int i = 0; i < threads; ++i) {
        pool.emplace_back([&, i] {
            ready.fetch_add(1);
            while (ready.load() < threads)
                std::this_thread::yield();
            results[static_cast<std::size_t>(i)] = cache.get("same.example").leaf;
        });
    }
    for (auto& t : pool)
        t.join();

    CHECK(minter.calls->load() == 1);
    for (const auto& leaf : results) {
        REQUIRE(leaf);
        CHECK(leaf == results[0]);
    }
    const LeafCacheCounters c = cache.counters();
    CHECK(c.mints == 1);
    CHECK(c.misses == 1);
    CHECK(c.hits + c.coalesced == threads - 1);
    CHECK(c.coalesced >= 1);  // the 50 ms mint leaves the others waiting
    CHECK(c.mint_ns_total >= 50'000'000);
}

TEST_CASE("evicts the least recently used host beyond capacity") {
    CountingMinter minter;
    LeafCertCache cache(minter.function(), {.capacity = 2});
    auto a = cache.get("a.example").leaf;
    cache.get("b.example");
    CHECK(cache.get("A.EXAMPLE.").leaf == a);  // same normalized key, a is now most recent
    cache.get("c.example");                    // evicts b
    CHECK(minter.calls->load() == 3);
    CHECK(cache.get("a.example").leaf == a);
    CHECK(minter.calls->load() == 3);
    cache.get("b.example");  // minted again, evicts c
    CHECK(minter.calls->load() == 4);

    const LeafCacheCounters c = cache.counters();
    CHECK(c.evictions == 2);
    CHECK(c.entries == 2);
    CHECK(c.hits == 2);
    CHECK(c.misses == 4);
}

TEST_CASE("does not cache failed mints and passes the error on") {
    std::atomic<int> calls{0};
    LeafCertCache cache([&](std::string_view) {
        calls.fetch_add(1);
        return LeafResult{nullptr, "boom"};
    });
    CHECK(cache.get("fail.example").error == "boom");
    CHECK(cache.get("fail.example").error == "boom");
    CHECK(calls.load() == 2);
    CHECK(cache.counters().mint_failures == 2);
    CHECK(cache.counters().entries == 0);
}

TEST_CASE("rejects invalid host names without minting") {
    CountingMinter minter;
    LeafCertCache cache(minter.function());
    CHECK_FALSE(cache.get("a b").leaf);
    CHECK(minter.calls->load() == 0);
    CHECK(cache.counters().rejected == 1);
}

TEST_CASE("mints again once an entry is older than max_age, and after clear") {
    CountingMinter minter;
    LeafCertCache cache(minter.function(), {.capacity = 10, .max_age = std::chrono::seconds(0)});
    cache.get("old.example");
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    cache.get("old.example");
    CHECK(minter.calls->load() == 2);
    CHECK(cache.counters().expirations == 1);

    LeafCertCache fresh(std::make_shared<const LeafIssuer>(test_ca()));
    auto first = fresh.get("clear.example").leaf;
    fresh.clear();
    CHECK(fresh.get("clear.example").leaf != first);
}
