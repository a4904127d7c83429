#include "weblog/feed_time_zone.hpp"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iterator>

namespace minewall::weblog {
namespace {

// Howard Hinnant's days_from_civil / civil_from_days.
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
    y -= m <= 2;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const auto yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
    std::int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
    return q;
}

std::uint32_t be32(const unsigned char* p) {
    return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
           std::uint32_t{p[3]};
}

std::uint64_t be64(const unsigned char* p) {
    return (std::uint64_t{be32(p)} << 32) | be32(p + 4);
}

// "+05:30", "-3", "+0100" → seconds; nullopt when not an offset.
std::optional<std::int32_t> parse_offset(std::string_view s) {
    if (s.empty() || (s[0] != '+' && s[0] != '-')) return std::nullopt;
    const int sign = s[0] == '-' ? -1 : 1;
    s.remove_prefix(1);
    std::string digits;
    for (char c : s) {
        if (c == ':') continue;
        if (c < '0' || c > '9') return std::nullopt;
        digits.push_back(c);
    }
    int hours = 0;
    int minutes = 0;
    if (digits.size() == 1 || digits.size() == 2) {
        hours = std::stoi(digits);
    } else if (digits.size() == 3 || digits.size() == 4) {
        hours = std::stoi(digits.substr(0, digits.size() - 2));
        minutes = std::stoi(digits.substr(digits.size() - 2));
    } else {
        return std::nullopt;
    }
    if (hours > 14 || minutes > 59) return std::nullopt;
    return sign * (hours * 3600 + minutes * 60);
}

}  // namespace

CivilTime civil_from_epoch(std::int64_t epoch_seconds, std::int32_t offset_seconds) {
    const std::int64_t local = epoch_seconds + offset_seconds;
    const std::int64_t days = floor_div(local, 86400);
    const std::int64_t secs = local - days * 86400;
    CivilTime t;
    t.epoch_seconds = epoch_seconds;
    t.hour = static_cast<int>(secs / 3600);
    t.minute = static_cast<int>(secs % 3600 / 60);
    t.second = static_cast<int>(secs % 60);
    t.weekday = static_cast<int>(((days % 7) + 7 + 4) % 7);  // 1970-01-01 was a Thursday
    const std::int64_t z = days + 719468;
    const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const auto doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    t.day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
    t.month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
    t.year = static_cast<int>(static_cast<std::int64_t>(yoe) + era * 400 + (t.month <= 2));
    return t;
}

std::int64_t epoch_from_civil(int year, int month, int day, int hour, int minute, int second) {
    return days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day)) * 86400 +
           hour * 3600 + minute * 60 + second;
}

std::optional<FeedTimeZone> FeedTimeZone::load(std::string_view name, std::string& error) {
    FeedTimeZone tz;
    if (name.empty() || name == "GMT" || name == "UTC" || name == "Etc/UTC" || name == "Z") {
        tz.name_ = name.empty() ? "GMT" : std::string(name);
        return tz;
    }
    std::string_view rest = name;
    if (rest.starts_with("GMT") || rest.starts_with("UTC")) rest.remove_prefix(3);
    if (auto off = parse_offset(rest)) {
        tz.name_ = std::string(name);
        tz.base_offset_ = *off;
        return tz;
    }
    if (name.find("..") != std::string_view::npos || name.front() == '/') {
        error = "time zone '" + std::string(name) + "' is not a zone name";
        return std::nullopt;
    }
    const char* dir = std::getenv("TZDIR");
    const std::string path =
        std::string(dir ? dir : "/usr/share/zoneinfo") + "/" + std::string(name);
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        error = "unknown time zone '" + std::string(name) + "' (no " + path + ")";
        return std::nullopt;
    }
    const std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto* p = reinterpret_cast<const unsigned char*>(data.data());
    const std::size_t size = data.size();
    auto bad = [&] {
        error = "time zone file " + path + " is not a valid TZif file";
        return std::nullopt;
    };
    if (size < 44 || data.compare(0, 4, "TZif") != 0) return bad();
    const char version = data[4];
    auto counts = [&](std::size_t at, std::uint32_t c[6]) {
        for (int i = 0; i < 6; ++i)
            c[i] = be32(p + at + 20 + 4 * i);
    };
    std::uint32_t c[6];
    counts(0, c);
    std::size_t at = 44;
    std::size_t time_size = 4;
    if (version >= '2') {
        // Skip the v1 block; the v2 block after it has 64-bit times.
        const std::size_t v1 = c[3] * 5 + c[4] * 6 + c[5] + c[2] * 8 + c[1] + c[0];
        at = 44 + v1;
        if (size < at + 44 || data.compare(at, 4, "TZif") != 0) return bad();
        counts(at, c);
        at += 44;
        time_size = 8;
    }
    const std::uint32_t isut = c[0], isstd = c[1], leap = c[2], timecnt = c[3], typecnt = c[4],
                        charcnt = c[5];
    const std::size_t need = timecnt * time_size + timecnt + typecnt * 6 + charcnt +
                             leap * (time_size + 4) + isstd + isut;
    if (typecnt == 0 || size < at + need) return bad();
    const unsigned char* times = p + at;
    const unsigned char* idx = times + timecnt * time_size;
    const unsigned char* types = idx + timecnt;
    auto type_offset = [&](std::size_t i) {
        return static_cast<std::int32_t>(be32(types + 6 * i));
    };
    tz.name_ = std::string(name);
    tz.base_offset_ = type_offset(0);
    for (std::uint32_t i = 0; i < timecnt; ++i) {
        const std::int64_t t = time_size == 8 ? static_cast<std::int64_t>(be64(times + 8 * i))
                                              : static_cast<std::int32_t>(be32(times + 4 * i));
        if (idx[i] >= typecnt) return bad();
        tz.transitions_.push_back(t);
        tz.offsets_after_.push_back(type_offset(idx[i]));
    }
    return tz;
}

std::int32_t FeedTimeZone::offset_at(std::int64_t epoch_seconds) const {
    if (transitions_.empty() || epoch_seconds < transitions_.front()) return base_offset_;
    const auto it = std::upper_bound(transitions_.begin(), transitions_.end(), epoch_seconds);
    return offsets_after_[static_cast<std::size_t>(it - transitions_.begin()) - 1];
}

CivilTime FeedTimeZone::civil(std::chrono::system_clock::time_point tp) const {
    const std::int64_t secs =
        std::chrono::floor<std::chrono::seconds>(tp.time_since_epoch()).count();
    return civil_from_epoch(secs, offset_at(secs));
}

}  // namespace minewall::weblog
