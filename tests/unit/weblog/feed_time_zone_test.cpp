#include "weblog/feed_time_zone.hpp"

#include <doctest/doctest.h>

#include <filesystem>

using namespace minewall::weblog;

TEST_CASE("civil time round-trips through epoch seconds") {
    const CivilTime t = civil_from_epoch(1697496948);  // Mon Oct 16 22:55:48 2023 UTC
    CHECK(t.year == 2023);
    CHECK(t.month == 10);
    CHECK(t.day == 16);
    CHECK(t.hour == 22);
    CHECK(t.minute == 55);
    CHECK(t.second == 48);
    CHECK(t.weekday == 1);
    CHECK(epoch_from_civil(2023, 10, 16, 22, 55, 48) == 1697496948);
    const CivilTime before = civil_from_epoch(-1);
    CHECK(before.year == 1969);
    CHECK(before.weekday == 3);
    CHECK(before.second == 59);
}

TEST_CASE("fixed offsets shift the civil time") {
    std::string error;
    const auto tz = FeedTimeZone::load("GMT+05:30", error);
    REQUIRE(tz);
    CHECK(tz->name() == "GMT+05:30");
    CHECK(tz->offset_at(0) == 5 * 3600 + 1800);
    const auto minus = FeedTimeZone::load("UTC-3", error);
    REQUIRE(minus);
    CHECK(minus->offset_at(0) == -3 * 3600);
}

TEST_CASE("unknown time zone names are rejected with a message") {
    std::string error;
    CHECK_FALSE(FeedTimeZone::load("Mars/Olympus", error));
    CHECK(error.find("Mars/Olympus") != std::string::npos);
    CHECK_FALSE(FeedTimeZone::load("../etc/passwd", error));
}

TEST_CASE("iana zones follow daylight saving from the zoneinfo files") {
    if (!std::filesystem::exists("/usr/share/zoneinfo/Europe/Berlin")) return;
    std::string error;
    const auto tz = FeedTimeZone::load("Europe/Berlin", error);
    REQUIRE_MESSAGE(tz, error);
    CHECK(tz->offset_at(epoch_from_civil(2023, 1, 15, 12, 0, 0)) == 3600);
    CHECK(tz->offset_at(epoch_from_civil(2023, 7, 15, 12, 0, 0)) == 7200);
}
