#pragma once
// The time zone of one feed: NSS renders every date/time token in the zone chosen for the
// feed. Supports GMT/UTC, fixed offsets ("GMT+05:30", "UTC-3") and IANA names read from the
// system zoneinfo files (TZif; instants after the last listed transition keep its offset).
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace minewall::weblog {

struct CivilTime {
    int year = 1970;
    int month = 1;  // 1..12
    int day = 1;    // 1..31
    int hour = 0;
    int minute = 0;
    int second = 0;
    int weekday = 4;  // 0 = Sunday
    std::int64_t epoch_seconds = 0;
};

// Civil fields of `epoch_seconds + offset_seconds` (proleptic Gregorian calendar).
CivilTime civil_from_epoch(std::int64_t epoch_seconds, std::int32_t offset_seconds = 0);

// Seconds since the epoch for a civil UTC date/time (inverse of civil_from_epoch).
std::int64_t epoch_from_civil(int year, int month, int day, int hour, int minute, int second);

class FeedTimeZone {
  public:
    FeedTimeZone() = default;  // GMT

    // "GMT", "UTC", "GMT+05:30", "UTC-3", "+0100" or an IANA name ("Europe/Berlin").
    // Returns nullopt and sets `error` when the name is not understood.
    static std::optional<FeedTimeZone> load(std::string_view name, std::string& error);

    CivilTime civil(std::chrono::system_clock::time_point tp) const;
    std::int32_t offset_at(std::int64_t epoch_seconds) const;
    const std::string& name() const { return name_; }

  private:
    std::string name_ = "GMT";
    std::int32_t base_offset_ = 0;             // fixed zones, and before the first transition
    std::vector<std::int64_t> transitions_;    // ascending epoch seconds
    std::vector<std::int32_t> offsets_after_;  // UTC offset in force from transitions_[i]
};

}  // namespace minewall::weblog
