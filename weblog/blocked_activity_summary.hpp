#pragma once
// What the SOC search does with Zscaler web logs, over our own presets' lines:
//   action=blocked [threatname=GLOB] | stats count min(_time) max(_time)
//     BY action deviceowner user urlcategory url src dest
// plus top threats, users and destination hosts. Lines of any preset (Splunk kv, HEC JSON,
// raw-token JSON, Sentinel CEF / Cloud NSS JSON, LEEF) are mapped to the same fields.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "weblog/nss_line_parser.hpp"

namespace minewall::weblog {

struct WebEvent {
    std::optional<std::int64_t> time;  // epoch seconds (log times are taken as UTC)
    std::string action;
    std::string deviceowner;
    std::string user;
    std::string urlcategory;
    std::string url;
    std::string src;
    std::string dest;
    std::string threatname;
};

// Maps one parsed line to the search's fields (missing ones stay empty).
WebEvent to_web_event(const ParsedLogRecord& record);

// "2023-10-16 22:55:48", "2023-10-16,22:55:48", "2023-10-16T22:55:48Z", "Mon Oct 16 22:55:48
// 2023", "Oct 16 2023 22:55:48 [GMT]", epoch seconds; nullopt when none of these.
std::optional<std::int64_t> parse_log_time(std::string_view text);

// --since: "24h", "30m", "7d", "90s" before `now`, or an absolute date/time as above
// ("2023-10-16" = midnight UTC).
std::optional<std::int64_t> parse_since(std::string_view text, std::int64_t now);

struct SummaryFilter {
    std::optional<std::int64_t> since;  // events before it (or without a time) are skipped
    std::string threat_glob;            // empty = any threat
};

struct BlockedGroup {
    std::uint64_t count = 0;
    std::optional<std::int64_t> first_time;
    std::optional<std::int64_t> last_time;
    std::string action, deviceowner, user, urlcategory, url, src, dest;
};

struct RankedName {
    std::string name;
    std::uint64_t count = 0;
};

class BlockedActivitySummary {
  public:
    explicit BlockedActivitySummary(SummaryFilter filter = {}) : filter_(std::move(filter)) {}

    // Counts the event if it is blocked and passes the filter; returns whether it did.
    bool add(const WebEvent& event);

    std::uint64_t blocked_events() const { return blocked_; }
    // Groups by count (descending), then most recent first.
    std::vector<BlockedGroup> groups() const;
    std::vector<RankedName> top_threats(std::size_t n) const { return top(threats_, n); }
    std::vector<RankedName> top_users(std::size_t n) const { return top(users_, n); }
    std::vector<RankedName> top_hosts(std::size_t n) const { return top(hosts_, n); }

  private:
    using Key = std::tuple<std::string, std::string, std::string, std::string, std::string,
                           std::string, std::string>;
    static std::vector<RankedName> top(const std::map<std::string, std::uint64_t>& counts,
                                       std::size_t n);

    SummaryFilter filter_;
    std::uint64_t blocked_ = 0;
    std::map<Key, BlockedGroup> groups_;
    std::map<std::string, std::uint64_t> threats_, users_, hosts_;
};

// "2023-10-16 22:55:48" (UTC).
std::string format_utc(std::int64_t epoch_seconds);

}  // namespace minewall::weblog
