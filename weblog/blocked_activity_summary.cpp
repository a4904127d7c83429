#include "weblog/blocked_activity_summary.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>

#include "weblog/feed_time_zone.hpp"
#include "weblog/text_glob.hpp"

namespace minewall::weblog {
namespace {

constexpr std::string_view kMonths[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                        "jul", "aug", "sep", "oct", "nov", "dec"};

std::string first_of(const ParsedLogRecord& r, std::initializer_list<std::string_view> keys) {
    for (std::string_view k : keys) {
        if (const std::string* v = r.find(k); v != nullptr && !v->empty()) return *v;
    }
    return {};
}

bool all_digits(std::string_view s) {
    return !s.empty() &&
           std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::optional<int> number(std::string_view s) {
    int v = 0;
    const auto res = std::from_chars(s.data(), s.data() + s.size(), v);
    if (res.ec != std::errc() || res.ptr != s.data() + s.size()) return std::nullopt;
    return v;
}

std::optional<int> month_index(std::string_view s) {
    if (s.size() != 3) return std::nullopt;
    std::string lower(s);
    for (char& c : lower)
        c = static_cast<char>(c | 0x20);
    for (int i = 0; i < 12; ++i) {
        if (kMonths[i] == lower) return i + 1;
    }
    return std::nullopt;
}

std::vector<std::string_view> split_spaces(std::string_view s) {
    std::vector<std::string_view> parts;
    std::size_t pos = 0;
    while (pos < s.size()) {
        while (pos < s.size() && s[pos] == ' ')
            ++pos;
        const std::size_t end = s.find(' ', pos);
        if (pos < s.size()) parts.push_back(s.substr(pos, end - pos));
        pos = end == std::string_view::npos ? s.size() : end;
    }
    return parts;
}

// "HH:MM:SS" → seconds of day.
std::optional<int> clock_time(std::string_view s) {
    if (s.size() != 8 || s[2] != ':' || s[5] != ':') return std::nullopt;
    const auto h = number(s.substr(0, 2)), m = number(s.substr(3, 2)), sec = number(s.substr(6, 2));
    if (!h || !m || !sec || *h > 23 || *m > 59 || *sec > 60) return std::nullopt;
    return *h * 3600 + *m * 60 + *sec;
}

std::optional<std::int64_t> civil(int y, int mo, int d, int seconds_of_day) {
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || y < 1970 || y > 9999) return std::nullopt;
    return epoch_from_civil(y, mo, d, 0, 0, 0) + seconds_of_day;
}

}  // namespace

std::optional<std::int64_t> parse_log_time(std::string_view text) {
    while (!text.empty() && text.front() == ' ')
        text.remove_prefix(1);
    while (!text.empty() && text.back() == ' ')
        text.remove_suffix(1);
    if (all_digits(text) && text.size() <= 12) {
        std::int64_t v = 0;
        std::from_chars(text.data(), text.data() + text.size(), v);
        return v;
    }
    // 2023-10-16[ ,T]22:55:48[Z]
    if (text.size() >= 10 && text[4] == '-' && text[7] == '-') {
        const auto y = number(text.substr(0, 4)), mo = number(text.substr(5, 2)),
                   d = number(text.substr(8, 2));
        if (!y || !mo || !d) return std::nullopt;
        if (text.size() == 10) return civil(*y, *mo, *d, 0);
        if (text.size() >= 19 && (text[10] == ' ' || text[10] == ',' || text[10] == 'T')) {
            const auto t = clock_time(text.substr(11, 8));
            if (t) return civil(*y, *mo, *d, *t);
        }
        return std::nullopt;
    }
    const auto parts = split_spaces(text);
    // Mon Oct 16 22:55:48 2023
    if (parts.size() == 5 && month_index(parts[1]) && clock_time(parts[3])) {
        const auto d = number(parts[2]), y = number(parts[4]);
        if (d && y) return civil(*y, *month_index(parts[1]), *d, *clock_time(parts[3]));
    }
    // Oct 16 2023 22:55:48 [GMT]
    if ((parts.size() == 4 || parts.size() == 5) && month_index(parts[0]) && clock_time(parts[3])) {
        const auto d = number(parts[1]), y = number(parts[2]);
        if (d && y) return civil(*y, *month_index(parts[0]), *d, *clock_time(parts[3]));
    }
    return std::nullopt;
}

std::optional<std::int64_t> parse_since(std::string_view text, std::int64_t now) {
    if (text.size() >= 2) {
        const char unit = text.back();
        const auto n = number(text.substr(0, text.size() - 1));
        const std::int64_t scale = unit == 's'   ? 1
                                   : unit == 'm' ? 60
                                   : unit == 'h' ? 3600
                                   : unit == 'd' ? 86400
                                                 : 0;
        if (n && scale > 0) return now - static_cast<std::int64_t>(*n) * scale;
    }
    return parse_log_time(text);
}

WebEvent to_web_event(const ParsedLogRecord& r) {
    WebEvent e;
    const bool leef = r.syntax == LogSyntax::Leef;
    e.action = leef ? first_of(r, {"action", "cat"}) : first_of(r, {"action", "act"});
    e.deviceowner = first_of(r, {"deviceowner", "odeviceowner"});
    e.user = first_of(r, {"user", "suser", "login", "usrName"});
    e.urlcategory = leef ? first_of(r, {"urlcategory"})
                         : first_of(r, {"urlcategory", "urlcat", "urlsubcat", "cat"});
    e.url = first_of(r, {"url", "eurl", "request"});
    e.src = first_of(r, {"src", "ClientIP", "cip", "cltip"});
    e.dest = first_of(r, {"dest", "hostname", "dhost", "host", "ehost"});
    e.threatname = first_of(r, {"threatname"});
    if (e.threatname.empty() && r.value_or("cs5Label") == "threatname")
        e.threatname = r.value_or("cs5");
    // Epoch values first: the text dates are in the feed's zone, which the line does not say.
    for (std::string_view key :
         {"epochtime", "time", "datetime", "TimeGenerated", "rt", "devTime"}) {
        if (const std::string* v = r.find(key)) {
            if (auto t = parse_log_time(*v)) {
                e.time = t;
                break;
            }
        }
    }
    return e;
}

bool BlockedActivitySummary::add(const WebEvent& e) {
    if (!glob_matches("blocked", e.action)) return false;  // Splunk: action=blocked
    if (!filter_.threat_glob.empty() && !glob_matches(filter_.threat_glob, e.threatname)) {
        return false;
    }
    if (filter_.since && (!e.time || *e.time < *filter_.since)) return false;
    ++blocked_;
    BlockedGroup& g =
        groups_[Key{e.action, e.deviceowner, e.user, e.urlcategory, e.url, e.src, e.dest}];
    if (g.count == 0) {
        g.action = e.action, g.deviceowner = e.deviceowner, g.user = e.user;
        g.urlcategory = e.urlcategory, g.url = e.url, g.src = e.src, g.dest = e.dest;
    }
    ++g.count;
    if (e.time) {
        if (!g.first_time || *e.time < *g.first_time) g.first_time = e.time;
        if (!g.last_time || *e.time > *g.last_time) g.last_time = e.time;
    }
    if (!e.threatname.empty()) ++threats_[e.threatname];
    if (!e.user.empty()) ++users_[e.user];
    if (!e.dest.empty()) ++hosts_[e.dest];
    return true;
}

std::vector<BlockedGroup> BlockedActivitySummary::groups() const {
    std::vector<BlockedGroup> out;
    for (const auto& [key, g] : groups_)
        out.push_back(g);
    std::stable_sort(out.begin(), out.end(), [](const BlockedGroup& a, const BlockedGroup& b) {
        if (a.count != b.count) return a.count > b.count;
        return a.last_time.value_or(0) > b.last_time.value_or(0);
    });
    return out;
}

std::vector<RankedName> BlockedActivitySummary::top(
    const std::map<std::string, std::uint64_t>& counts, std::size_t n) {
    std::vector<RankedName> out;
    for (const auto& [name, count] : counts)
        out.push_back(RankedName{name, count});
    std::stable_sort(out.begin(), out.end(),
                     [](const RankedName& a, const RankedName& b) { return a.count > b.count; });
    if (out.size() > n) out.resize(n);
    return out;
}

std::string format_utc(std::int64_t epoch_seconds) {
    const CivilTime t = civil_from_epoch(epoch_seconds);
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d:%02d", t.year, t.month, t.day, t.hour,
                  t.minute, t.second);
    return buf;
}

}  // namespace minewall::weblog
