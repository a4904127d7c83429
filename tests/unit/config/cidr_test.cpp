#include "config/cidr.hpp"

#include <doctest/doctest.h>

using namespace minewall::config;

TEST_CASE("ipv4 networks match by prefix") {
    auto net = Cidr::parse("10.1.0.0/16");
    REQUIRE(net);
    CHECK(net->contains("10.1.255.3"));
    CHECK_FALSE(net->contains("10.2.0.1"));
    CHECK_FALSE(net->contains("::1"));
    CHECK_FALSE(net->contains("garbage"));
}

TEST_CASE("odd prefix lengths mask the partial byte") {
    auto net = Cidr::parse("192.168.1.128/25");
    REQUIRE(net);
    CHECK(net->contains("192.168.1.200"));
    CHECK_FALSE(net->contains("192.168.1.127"));
}

TEST_CASE("ipv6 networks and v4-mapped clients") {
    auto loop6 = Cidr::parse("::1/128");
    REQUIRE(loop6);
    CHECK(loop6->contains("::1"));
    CHECK_FALSE(loop6->contains("::2"));
    auto v4 = Cidr::parse("127.0.0.0/8");
    REQUIRE(v4);
    // A dual-stack socket reports IPv4 clients as ::ffff:a.b.c.d.
    CHECK(v4->contains("::ffff:127.0.0.5"));
    auto doc = Cidr::parse("2001:db8::/32");
    REQUIRE(doc);
    CHECK(doc->contains("2001:db8:1::7"));
    CHECK_FALSE(doc->contains("2001:db9::1"));
}

TEST_CASE("bare addresses are host networks and bad text is refused") {
    auto host = Cidr::parse("8.8.8.8");
    REQUIRE(host);
    CHECK(host->contains("8.8.8.8"));
    CHECK_FALSE(host->contains("8.8.8.9"));
    CHECK(Cidr::parse("0.0.0.0/0")->contains("1.2.3.4"));
    CHECK_FALSE(Cidr::parse("10.0.0.0/33"));
    CHECK_FALSE(Cidr::parse("10.0.0.0/"));
    CHECK_FALSE(Cidr::parse("10.0.0/8"));
    CHECK_FALSE(Cidr::parse("::/129"));
    CHECK_FALSE(Cidr::parse("example.com/8"));
}
