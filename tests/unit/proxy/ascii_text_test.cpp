#include "text/ascii_text.hpp"

#include <doctest/doctest.h>

using namespace minewall;

TEST_CASE("icontains finds a needle whatever its ASCII case") {
    CHECK(text::icontains("application/x-JavaScript", "javascript"));
    CHECK(text::icontains("text/javascript", "JAVASCRIPT"));
    CHECK(text::icontains("anything", ""));
    CHECK_FALSE(text::icontains("application/json", "javascript"));
    CHECK_FALSE(text::icontains("java", "javascript"));
    CHECK_FALSE(text::icontains("", "x"));
}
