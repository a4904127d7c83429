#include "policy/ip_set.hpp"

#include <doctest/doctest.h>

using namespace minewall::policy;

namespace {
bool contains(const IpSet& set, std::string_view ip) {
    bool hit = false;
    set.match(*parse_ip_literal(ip), [&](std::uint32_t, unsigned) { hit = true; });
    return hit;
}
}  // namespace

TEST_CASE("ip set matches exact IPv4 and CIDR networks") {
    IpSet set;
    set.add(*parse_ip_network("23.83.114.131"), 1);
    set.add(*parse_ip_network("185.165.169.0/24"), 2);
    set.add(*parse_ip_network("10.1.2.3/8"), 3);  // host bits are masked off
    CHECK(contains(set, "23.83.114.131"));
    CHECK_FALSE(contains(set, "23.83.114.130"));
    CHECK(contains(set, "185.165.169.108"));
    CHECK_FALSE(contains(set, "185.165.170.1"));
    CHECK(contains(set, "10.200.0.1"));
}

TEST_CASE("ip set matches IPv6 networks and keeps families apart") {
    IpSet set;
    set.add(*parse_ip_network("2001:db8:42::/48"), 1);
    CHECK(contains(set, "2001:db8:42::7"));
    CHECK(contains(set, "[2001:db8:42:ffff::1]"));
    CHECK_FALSE(contains(set, "2001:db8:43::1"));
    CHECK_FALSE(contains(set, "32.1.13.184"));
}

TEST_CASE("ip parsing rejects non-addresses with a reason") {
    std::string why;
    CHECK_FALSE(parse_ip_literal("pool.example"));
    CHECK_FALSE(parse_ip_literal("1.2.3"));
    CHECK_FALSE(parse_ip_literal("1.2.3.4:3333"));
    CHECK_FALSE(parse_ip_network("1.2.3.4/33", &why));
    CHECK(why.find("prefix") != std::string::npos);
    CHECK_FALSE(parse_ip_network("1.2.3.4/x", &why));
    CHECK(parse_ip_literal("::ffff:1.2.3.4") == parse_ip_literal("1.2.3.4"));
}
