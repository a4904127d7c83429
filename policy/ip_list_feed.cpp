// IP lists: one address or CIDR network per line, '#' comments.
#include "policy/feed_lines.hpp"
#include "policy/feed_parser.hpp"

namespace minewall::policy {

FeedEntries parse_ip_list_feed(std::string_view text) {
    using namespace feed_lines;
    FeedEntries out;
    for_each_entry(
        text, out, "", [&](std::size_t number, std::string_view line, std::string_view original) {
            std::string why;
            auto network = parse_ip_network(line, &why);
            if (!network) {
                out.issues.push_back(
                    {number, "bad address or network: " + why, std::string(clip(original))});
                return;
            }
            out.ips.push_back({*network, std::string(line), number});
        });
    return out;
}

}  // namespace minewall::policy
