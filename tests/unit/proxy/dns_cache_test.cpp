#include "proxy/forward/dns_cache.hpp"

#include <doctest/doctest.h>

using minewall::proxy::DnsCache;
using namespace std::chrono_literals;

TEST_CASE("a resolved name is served from the cache until it expires") {
    DnsCache cache;
    auto t0 = DnsCache::Clock::now();
    CHECK_FALSE(cache.find("origin.example", t0));
    cache.store("Origin.Example", {"192.0.2.10", "2001:db8::10"}, t0 + 30s);
    auto hit = cache.find("origin.example", t0 + 29s);
    REQUIRE(hit);
    CHECK(*hit == std::vector<std::string>{"192.0.2.10", "2001:db8::10"});
    CHECK_FALSE(cache.find("origin.example", t0 + 30s));
    CHECK_FALSE(cache.find("other.example", t0));
}

TEST_CASE("an empty answer is not cached and a full cache makes room") {
    DnsCache cache(2);
    auto later = DnsCache::Clock::now() + 1h;
    cache.store("none.example", {}, later);
    CHECK(cache.size() == 0);
    cache.store("a.example", {"192.0.2.1"}, later);
    cache.store("b.example", {"192.0.2.2"}, later);
    cache.store("c.example", {"192.0.2.3"}, later);
    CHECK(cache.size() == 2);
    CHECK(cache.find("c.example"));
}

TEST_CASE("expired entries are dropped first when the cache is full") {
    DnsCache cache(2);
    auto now = DnsCache::Clock::now();
    cache.store("old.example", {"192.0.2.1"}, now - 1s);
    cache.store("fresh.example", {"192.0.2.2"}, now + 1h);
    cache.store("new.example", {"192.0.2.3"}, now + 1h);
    CHECK(cache.find("fresh.example"));
    CHECK(cache.find("new.example"));
    CHECK(cache.size() == 2);
}
