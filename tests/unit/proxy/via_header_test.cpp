#include "proxy/http/via_header.hpp"

#include <doctest/doctest.h>

using namespace minewall::proxy;

TEST_CASE("our Via entry is appended to the list") {
    CHECK(append_via("", 11, "minewall-a1") == "1.1 minewall-a1");
    CHECK(append_via("1.0 squid", 10, "minewall-a1") == "1.0 squid, 1.0 minewall-a1");
}

TEST_CASE("a request that already carries our pseudonym is a loop") {
    CHECK(via_contains_pseudonym("1.1 minewall-a1", "minewall-a1"));
    CHECK(
        via_contains_pseudonym("1.0 squid (squid/5.7), 1.1 minewall-a1 (comment)", "minewall-a1"));
    CHECK(via_contains_pseudonym("HTTP/1.1 minewall-a1", "minewall-a1"));
    CHECK_FALSE(via_contains_pseudonym("1.1 minewall-a12", "minewall-a1"));
    CHECK_FALSE(via_contains_pseudonym("1.1 other, 1.1 minewall-b2", "minewall-a1"));
    CHECK_FALSE(via_contains_pseudonym("", "minewall-a1"));
}
