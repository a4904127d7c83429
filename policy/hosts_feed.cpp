// Hosts-file feeds: "0.0.0.0 host [host...]", "127.0.0.1 host", "# comments", inline comments.
#include <array>

#include "policy/domain_set.hpp"
#include "policy/feed_lines.hpp"
#include "policy/feed_parser.hpp"

namespace minewall::policy {
namespace {

// Names every hosts file maps to itself; listing them is not a block request.
bool local_name(std::string_view host) {
    static constexpr std::array<std::string_view, 9> kLocal{
        "localhost",    "localhost.localdomain", "local",        "broadcasthost", "ip6-localhost",
        "ip6-loopback", "ip6-localnet",          "ip6-allnodes", "ip6-allrouters"};
    for (auto n : kLocal)
        if (host == n) return true;
    return false;
}

}  // namespace

FeedEntries parse_hosts_feed(std::string_view text, const FeedParseOptions& options) {
    using namespace feed_lines;
    FeedEntries out;
    for_each_entry(
        text, out, "", [&](std::size_t number, std::string_view line, std::string_view original) {
            // Split into whitespace-separated tokens.
            std::vector<std::string_view> tokens;
            while (!line.empty()) {
                std::size_t end = 0;
                while (end < line.size() && !blank(line[end]))
                    ++end;
                tokens.push_back(line.substr(0, end));
                line = trim(line.substr(end));
            }
            std::size_t first_host = 0;
            if (parse_ip_literal(tokens[0])) {
                first_host = 1;
                if (tokens.size() == 1) {
                    out.issues.push_back(
                        {number, "address without a host name", std::string(clip(original))});
                    return;
                }
            }
            for (std::size_t i = first_host; i < tokens.size(); ++i) {
                if (local_name(tokens[i])) continue;
                std::string why;
                auto domain = DomainSet::normalize(tokens[i], &why);
                if (!domain) {
                    out.issues.push_back({number,
                                          "bad host '" + std::string(clip(tokens[i])) + "': " + why,
                                          std::string(clip(original))});
                    continue;
                }
                if (feed_lines::single_label(*domain)) {
                    out.issues.push_back({number,
                                          "single-label name '" + *domain +
                                              "' refused (would cover a whole top-level domain)",
                                          std::string(clip(original))});
                    continue;
                }
                out.domains.push_back({*domain, options.include_subdomains, number});
            }
        });
    return out;
}

}  // namespace minewall::policy
