#pragma once
// Threat-feed parsers: hosts files, plain domain lists, Adblock Plus filter lists, CSV
// User-Agent feeds (Sentinel UnusualUserAgents.csv layout) and IP/CIDR lists. Each parser keeps
// every usable line and reports every unusable one with its line number.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "policy/ip_set.hpp"

namespace minewall::policy {

enum class FeedFormat { Hosts, Domains, Adblock, UserAgentCsv, IpList };

// "hosts", "domains", "adblock", "useragent_csv", "ips".
std::optional<FeedFormat> parse_feed_format(std::string_view name);
std::string_view feed_format_name(FeedFormat format);

struct FeedIssue {
    std::size_t line = 0;  // 1-based
    std::string message;
    std::string text;  // the offending line (trimmed, at most 200 bytes)
};

struct FeedDomain {
    std::string domain;  // normalized
    bool include_subdomains = true;
    std::size_t line = 0;
};

struct FeedIp {
    IpNetwork network;
    std::string text;
    std::size_t line = 0;
};

struct FeedUrlPattern {
    std::string regex;                        // RE2 syntax, validated
    std::string source;                       // the original rule text
    std::vector<std::string> excluded_hosts;  // from $domain=~a.com|~b.com (normalized)
    std::size_t line = 0;
};

struct FeedUserAgent {
    std::string term;  // matched like KQL has_any: whole term, case-insensitive
    std::size_t line = 0;
};

// Entries a feed lists (they take the feed's action) and, for Adblock, its `@@` exceptions
// (always allow rules).
struct FeedEntries {
    std::vector<FeedDomain> domains;
    std::vector<FeedIp> ips;
    std::vector<FeedUrlPattern> urls;
    std::vector<FeedUserAgent> user_agents;
    std::vector<FeedDomain> exception_domains;
    std::vector<FeedUrlPattern> exception_urls;

    std::vector<FeedIssue> issues;
    std::size_t lines = 0;
    std::size_t comments = 0;  // comment and blank lines
    std::size_t cosmetic_skipped =
        0;  // Adblock element-hiding rules (##, #@#, ...): no meaning here
    std::size_t options_ignored = 0;  // Adblock options deliberately ignored ($third-party, types)
    std::size_t rows_other_category = 0;  // CSV rows of another category (not an error)

    std::size_t usable() const {
        return domains.size() + ips.size() + urls.size() + user_agents.size() +
               exception_domains.size() + exception_urls.size();
    }
};

struct FeedParseOptions {
    bool include_subdomains = true;  // hosts/domains: also match names below each entry
    std::string user_agent_category = "Cryptominer";  // CSV: rows of this category are taken
};

FeedEntries parse_feed(FeedFormat format, std::string_view text,
                       const FeedParseOptions& options = {});

FeedEntries parse_hosts_feed(std::string_view text, const FeedParseOptions& options);
FeedEntries parse_domain_list_feed(std::string_view text, const FeedParseOptions& options);
FeedEntries parse_adblock_feed(std::string_view text);
FeedEntries parse_user_agent_csv_feed(std::string_view text, const FeedParseOptions& options);
FeedEntries parse_ip_list_feed(std::string_view text);

// Converts one Adblock URL pattern (no options, no @@) to an RE2 pattern: `||` domain anchor,
// `|` start/end anchors, `*` wildcard, `^` separator, everything else literal. nullopt with *why
// when it cannot be converted safely.
std::optional<std::string> adblock_pattern_to_regex(std::string_view pattern, bool match_case,
                                                    std::string* why);

}  // namespace minewall::policy
