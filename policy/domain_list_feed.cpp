// Plain lists: one domain (or "*.domain") per line; '#' and '!' start comments. IP literals are
// accepted and become IP entries.
#include "policy/domain_set.hpp"
#include "policy/feed_lines.hpp"
#include "policy/feed_parser.hpp"

namespace minewall::policy {

FeedEntries parse_domain_list_feed(std::string_view text, const FeedParseOptions& options) {
    using namespace feed_lines;
    FeedEntries out;
    for_each_entry(
        text, out, "!", [&](std::size_t number, std::string_view line, std::string_view original) {
            if (line.find_first_of(" \t") != std::string_view::npos) {
                out.issues.push_back({number, "more than one word on a domain-list line",
                                      std::string(clip(original))});
                return;
            }
            if (auto ip = parse_ip_network(line)) {
                out.ips.push_back({*ip, std::string(line), number});
                return;
            }
            std::string why;
            auto domain = DomainSet::normalize(line, &why);
            if (!domain) {
                out.issues.push_back({number, "bad domain: " + why, std::string(clip(original))});
                return;
            }
            if (single_label(*domain)) {
                out.issues.push_back(
                    {number, "single-label name refused (would cover a whole top-level domain)",
                     std::string(clip(original))});
                return;
            }
            out.domains.push_back({*domain, options.include_subdomains, number});
        });
    return out;
}

}  // namespace minewall::policy
