#include "policy/domain_set.hpp"

#include <doctest/doctest.h>

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
