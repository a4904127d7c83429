#include "policy/feed_parser.hpp"

namespace minewall::policy {

std::optional<FeedFormat> parse_feed_format(std::string_view name) {
    if (name == "hosts") return FeedFormat::Hosts;
    if (name == "domains") return FeedFormat::Domains;
    if (name == "adblock") return FeedFormat::Adblock;
    if (name == "useragent_csv") return FeedFormat::UserAgentCsv;
    if (name == "ips") return FeedFormat::IpList;
    return std::nullopt;
}

std::string_view feed_format_name(FeedFormat format) {
    switch (format) {
        case FeedFormat::Hosts:
            return "hosts";
        case FeedFormat::Domains:
            return "domains";
        case FeedFormat::Adblock:
            return "adblock";
        case FeedFormat::UserAgentCsv:
            return "useragent_csv";
        case FeedFormat::IpList:
            return "ips";
    }
    return "unknown";
}

FeedEntries parse_feed(FeedFormat format, std::string_view text, const FeedParseOptions& options) {
    switch (format) {
        case FeedFormat::Hosts:
            return parse_hosts_feed(text, options);
        case FeedFormat::Domains:
            return parse_domain_list_feed(text, options);
        case FeedFormat::Adblock:
            return parse_adblock_feed(text);
        case FeedFormat::UserAgentCsv:
            return parse_user_agent_csv_feed(text, options);
        case FeedFormat::IpList:
            return parse_ip_list_feed(text);
    }
    return {};
}

}  // namespace minewall::policy
