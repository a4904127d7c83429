#include "proxy/http/request_target.hpp"

#include <doctest/doctest.h>

using namespace minewall::proxy;

TEST_CASE("absolute-form targets split into scheme, authority and path") {
    auto t = parse_absolute_target("http://Example.COM:8080/a/b?q=1#frag");
    REQUIRE(t);
    CHECK(t->scheme == "http");
    CHECK(t->authority.host == "example.com");
    CHECK(t->authority.port == 8080);
    CHECK(t->path == "/a/b?q=1");
}

TEST_CASE("absolute-form targets get default ports and a root path") {
    auto t = parse_absolute_target("http://example.com");
    REQUIRE(t);
    CHECK(t->authority.port == 80);
    CHECK(t->path == "/");
    auto s = parse_absolute_target("HTTPS://example.com?x");
    REQUIRE(s);
    CHECK(s->authority.port == 443);
    CHECK(s->path == "/?x");
}

TEST_CASE("ipv6 literals stay bracketed in host headers") {
    auto t = parse_absolute_target("http://[::1]:8080/x");
    REQUIRE(t);
    CHECK(t->authority.host == "::1");
    CHECK(t->authority.is_ipv6);
    CHECK(t->authority.host_header(80) == "[::1]:8080");
    CHECK(t->authority.to_string() == "[::1]:8080");
}

TEST_CASE("targets that hide or break the host are refused") {
    CHECK_FALSE(parse_absolute_target("/origin/form"));
    CHECK_FALSE(parse_absolute_target("ftp://example.com/"));
    CHECK_FALSE(parse_absolute_target("http://user:pw@example.com/"));
    CHECK_FALSE(parse_absolute_target("http://exa mple.com/"));
    CHECK_FALSE(parse_absolute_target("http://example.com:0/"));
    CHECK_FALSE(parse_absolute_target("http://example.com:99999/"));
    CHECK_FALSE(parse_absolute_target("http://:80/"));
    CHECK_FALSE(parse_absolute_target("http://[zz::1]/"));
}

TEST_CASE("CONNECT authorities need a port") {
    auto a = parse_authority("pool.example.org:3333");
    REQUIRE(a);
    CHECK(a->host == "pool.example.org");
    CHECK(a->port == 3333);
    CHECK_FALSE(parse_authority("pool.example.org"));
    CHECK_FALSE(parse_authority("pool.example.org:"));
    CHECK_FALSE(parse_authority("pool.example.org:44x"));
    auto v6 = parse_authority("[2001:db8::1]:443");
    REQUIRE(v6);
    CHECK(v6->host == "2001:db8::1");
}

TEST_CASE("trailing dots are dropped from host names") {
    auto a = parse_authority("example.com.:443");
    REQUIRE(a);
    CHECK(a->host == "example.com");
}

TEST_CASE(".invalid names are recognised as never resolvable") {
    CHECK(is_reserved_invalid_name("nohost.invalid"));
    CHECK(is_reserved_invalid_name("a.b.invalid."));
    CHECK(is_reserved_invalid_name("invalid"));
    CHECK_FALSE(is_reserved_invalid_name("invalid.com"));
    CHECK_FALSE(is_reserved_invalid_name("notinvalid"));
}
