// IP lists: one address or CIDR network per line, '#' comments.
#include "policy/feed_lines.hpp"
#include "policy/feed_parser.hpp"

namespace minewall::policy {

FeedEntries parse_ip_list_feed(std::string_view text) {
    using namespace feed_lines;
    FeedEntries out;
    for_each_line(text, [&](std::size_t number, std::string_view line) {
        ++out.lines;
        std::string_view original = line;
        if (auto hash = line.find('#'); hash != std::string_view::npos)
            line = trim(line.substr(0, hash));
        if (line.empty()) {
            ++out.comments;
            return;
        }
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
