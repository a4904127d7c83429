#include "policy/domain_set.hpp"

#include <doctest/doctest.h>

#include <stdexcept>
#include <string>
#include <vector>

using minewall::policy::canonical_host;
using minewall::policy::DomainSet;

namespace {
std::vector<std::uint32_t> hits(const DomainSet& set, std::string_view host) {
    std::vector<std::uint32_t> out;
    set.match(host, [&](std::uint32_t v, std::string_view) { out.push_back(v); });
    return out;
}
}  // namespace

TEST_CASE("domain set matches a listed domain and its subdomains") {
    DomainSet set;
    set.add("supportxmr.com", true, 7);
    CHECK(hits(set, "supportxmr.com") == std::vector<std::uint32_t>{7});
    CHECK(hits(set, "pool.supportxmr.com") == std::vector<std::uint32_t>{7});
    CHECK(hits(set, "a.b.pool.supportxmr.com") == std::vector<std::uint32_t>{7});
}

TEST_CASE("domain set does not match look-alike names") {
    DomainSet set;
    set.add("supportxmr.com", true, 1);
    set.add("minexmr.com", true, 2);
    CHECK(hits(set, "notsupportxmr.com").empty());
    CHECK(hits(set, "supportxmr.com.evil.net").empty());
    CHECK(hits(set, "xmr.com").empty());
    CHECK(hits(set, "miningweekly.com").empty());
    CHECK(hits(set, "minecraft.net").empty());
    CHECK(hits(set, "coinmarketcap.com").empty());
}

TEST_CASE("exact entries do not cover subdomains") {
    DomainSet set;
    set.add("ws.pool.example", false, 3);
    CHECK(hits(set, "ws.pool.example") == std::vector<std::uint32_t>{3});
    CHECK(hits(set, "a.ws.pool.example").empty());
}

TEST_CASE("normalize accepts wildcards and rejects host:port") {
    CHECK(DomainSet::normalize("*.Pool.Example.") == std::optional<std::string>("pool.example"));
    CHECK(DomainSet::normalize(".coinhive.com") == std::optional<std::string>("coinhive.com"));
    std::string why;
    CHECK_FALSE(DomainSet::normalize("hashbag.cc:8688", &why));
    CHECK(why.find("port") != std::string::npos);
    CHECK_FALSE(DomainSet::normalize("a..b"));
    CHECK_FALSE(DomainSet::normalize("bad_host!.test"));
    CHECK_FALSE(DomainSet::normalize("pool.example/path"));
}

TEST_CASE("canonical host lower-cases and strips trailing dot and brackets") {
    std::string scratch;
    CHECK(canonical_host("Pool.SupportXMR.com.", scratch) == "pool.supportxmr.com");
    CHECK(canonical_host("[2001:db8::1]", scratch) == "2001:db8::1");
    CHECK(canonical_host("plain.example", scratch) == "plain.example");
}

namespace {
struct Visited {
    std::uint32_t value;
    std::string name;
    bool operator==(const Visited&) const = default;
};
std::vector<Visited> visits(const DomainSet& set, std::string_view host) {
    std::vector<Visited> out;
    set.match(host, [&](std::uint32_t v, std::string_view name) {
        out.push_back({v, std::string(name)});
    });
    return out;
}
// Every name hashes alike: one home slot, one tag, so every look-up walks the probe chain and
// tells names apart by their bytes alone.
std::uint64_t same_hash(std::uint64_t) {
    return 0x1234567800000005ull;
}
// Few distinct slots and tags: collisions in both, but not all in one chain.
std::uint64_t few_hashes(std::uint64_t h) {
    return (h % 3) * 0x100000001ull;
}
}  // namespace

TEST_CASE("domain set visits exact entries then subtree entries, longest suffix first") {
    DomainSet set;
    set.add("pool.example", true, 1);
    set.add("ws.pool.example", false, 2);
    set.add("ws.pool.example", true, 3);
    set.add("ws.pool.example", false, 4);
    set.add("example", true, 5);
    CHECK(visits(set, "ws.pool.example") == std::vector<Visited>{{2, "ws.pool.example"},
                                                                 {4, "ws.pool.example"},
                                                                 {3, "ws.pool.example"},
                                                                 {1, "pool.example"},
                                                                 {5, "example"}});
    CHECK(visits(set, "a.ws.pool.example") ==
          std::vector<Visited>{{3, "ws.pool.example"}, {1, "pool.example"}, {5, "example"}});
}

TEST_CASE("domain set keeps one copy of a repeated entry") {
    DomainSet set;
    set.add("pool.example", true, 1);
    set.add("pool.example", true, 1);
    set.add("pool.example", false, 1);
    set.add("pool.example", false, 1);
    CHECK(set.size() == 1);
    CHECK(hits(set, "pool.example") == std::vector<std::uint32_t>{1, 1});  // exact, then subtree
    CHECK(hits(set, "a.pool.example") == std::vector<std::uint32_t>{1});
}

TEST_CASE("domain set tells names apart when every hash collides") {
    for (auto mix : {&same_hash, &few_hashes}) {
        DomainSet set(mix);
        for (int i = 0; i < 300; ++i)
            set.add("pool" + std::to_string(i) + ".example", i % 2 == 0,
                    static_cast<std::uint32_t>(i));
        CHECK(set.size() == 300);
        for (int i = 0; i < 300; ++i) {
            std::string name = "pool" + std::to_string(i) + ".example";
            CHECK(hits(set, name) == std::vector<std::uint32_t>{static_cast<std::uint32_t>(i)});
            CHECK(hits(set, "www." + name).size() == (i % 2 == 0 ? 1u : 0u));
        }
        CHECK(hits(set, "pool300.example").empty());
        CHECK(hits(set, "example").empty());
        CHECK(hits(set, "ool1.example").empty());
        CHECK(hits(set, "pool1.exampl").empty());
    }
}

TEST_CASE("domain set keeps every name across growth, with or without reserve") {
    auto name = [](int i) { return "n" + std::to_string(i * 7919) + ".grow.test"; };
    DomainSet grown;
    DomainSet reserved;
    reserved.reserve(5000, 5000 * 16);
    for (int i = 0; i < 5000; ++i) {
        grown.add(name(i), true, static_cast<std::uint32_t>(i));
        reserved.add(name(i), true, static_cast<std::uint32_t>(i));
        if (i == 0 || i == 1 || i == 63 || i == 4999) {  // just before and after growth steps
            for (int j = 0; j <= i; ++j)
                REQUIRE(hits(grown, "x." + name(j)) ==
                        std::vector<std::uint32_t>{static_cast<std::uint32_t>(j)});
        }
    }
    CHECK(grown.size() == 5000);
    CHECK(reserved.size() == 5000);
    for (int i = 0; i < 5000; i += 37) {
        CHECK(hits(grown, name(i)) == std::vector<std::uint32_t>{static_cast<std::uint32_t>(i)});
        CHECK(hits(reserved, name(i)) == hits(grown, name(i)));
    }
    CHECK(hits(grown, "n1.grow.test").empty());
}

TEST_CASE("domain set skips empty labels in a host the way it splits any other") {
    DomainSet set;
    set.add("pool.example", true, 1);
    set.add("ws.pool.example", false, 2);
    // ".pool.example" and "a..pool.example" are not listed names, but "pool.example" is a
    // suffix of both after a dot.
    CHECK(visits(set, ".pool.example") == std::vector<Visited>{{1, "pool.example"}});
    CHECK(visits(set, "a..pool.example") == std::vector<Visited>{{1, "pool.example"}});
    CHECK(hits(set, ".ws.pool.example") == std::vector<std::uint32_t>{1});
    CHECK(hits(set, "..").empty());
    CHECK(hits(set, ".").empty());
}

TEST_CASE("domain set needs canonical hosts: trailing dot and upper case do not match raw") {
    DomainSet set;
    set.add("pool.example", true, 1);
    CHECK(hits(set, "pool.example.").empty());
    CHECK(hits(set, "POOL.example").empty());
    CHECK(hits(set, "www.Pool.Example").empty());
    std::string scratch;
    CHECK(hits(set, canonical_host("www.Pool.Example.", scratch)) == std::vector<std::uint32_t>{1});
}

TEST_CASE("domain set matches suffixes of hosts longer than any listed name") {
    DomainSet set;
    set.add("pool.example", true, 1);
    std::string host(300, 'a');
    host += ".pool.example";
    CHECK(hits(set, host) == std::vector<std::uint32_t>{1});
    std::string labels;
    for (int i = 0; i < 200; ++i)
        labels += "b.";
    CHECK(hits(set, labels + "pool.example") == std::vector<std::uint32_t>{1});
    set.add(std::string(255, 'c'), false, 2);
    CHECK(hits(set, std::string(255, 'c')) == std::vector<std::uint32_t>{2});
    CHECK(hits(set, "d." + std::string(255, 'c')).empty());
    CHECK(hits(set, labels + "pool.example") == std::vector<std::uint32_t>{1});
}

TEST_CASE("domain set refuses names it cannot store and stays usable when empty") {
    DomainSet set;
    CHECK(hits(set, "pool.example").empty());
    CHECK(hits(set, "").empty());
    CHECK_THROWS_AS(set.add("", true, 1), std::invalid_argument);
    CHECK_THROWS_AS(set.add(std::string(256, 'a'), true, 1), std::invalid_argument);
    CHECK(set.size() == 0);
    set.reserve(0, 0);
    CHECK(hits(set, "pool.example").empty());
}
