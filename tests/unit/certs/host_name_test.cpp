#include "certs/host_name.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace minewall::certs;

TEST_CASE("normalizes DNS names to lower case without the trailing dot") {
    auto r = normalize_cert_host("Pool.Example.COM.");
    REQUIRE(r.host);
    CHECK(r.host->name == "pool.example.com");
    CHECK(r.host->kind == HostKind::dns);
}

TEST_CASE("normalizes IP literals to their canonical text") {
    auto v4 = normalize_cert_host("192.0.2.10");
    REQUIRE(v4.host);
    CHECK(v4.host->kind == HostKind::ipv4);
    CHECK(v4.host->ip_length == 4);
    auto v6 = normalize_cert_host("[2001:DB8:0:0::0001]");
    REQUIRE(v6.host);
    CHECK(v6.host->kind == HostKind::ipv6);
    CHECK(v6.host->name == "2001:db8::1");
    CHECK(v6.host->ip_length == 16);
}

TEST_CASE("rejects names that cannot be a certificate name") {
    CHECK_FALSE(normalize_cert_host("").host);
    CHECK_FALSE(normalize_cert_host("a..b").host);
    CHECK_FALSE(normalize_cert_host("a b.example").host);
    CHECK_FALSE(normalize_cert_host("evil.example,DNS:bank.example").host);
    CHECK_FALSE(normalize_cert_host(std::string(64, 'a') + ".example").host);
    std::string long_name;
    for (int i = 0; i < 5; ++i)
        long_name += std::string(60, 'a') + ".";
    CHECK_FALSE(normalize_cert_host(long_name + "example").host);
    CHECK_FALSE(normalize_cert_host("fe80::1%eth0").host);
    CHECK(normalize_cert_host("_dmarc.example").host);
}
