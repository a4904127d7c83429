// CSV User-Agent feeds in the layout of Azure Sentinel's UnusualUserAgents.csv: a header
// `UserAgent,UserAgentCategory` (a `Category` column is accepted too), one row per term. Rows of
// the configured category (default Cryptominer) become User-Agent terms.
#include "policy/feed_lines.hpp"
#include "policy/feed_parser.hpp"
#include "text/ascii_text.hpp"

namespace minewall::policy {
namespace {

using text::iequals;

// RFC 4180 fields: commas separate, double quotes group, "" is a literal quote. nullopt when a
// quoted field is not closed on the line.
std::optional<std::vector<std::string>> split_csv(std::string_view line) {
    std::vector<std::string> fields(1);
    bool quoted = false;
    for (std::size_t i = 0; i < line.size(); ++i) {
        char c = line[i];
        if (quoted) {
            if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
                fields.back().push_back('"');
                ++i;
            } else if (c == '"') {
                quoted = false;
            } else {
                fields.back().push_back(c);
            }
        } else if (c == '"') {
            quoted = true;
        } else if (c == ',') {
            fields.emplace_back();
        } else {
            fields.back().push_back(c);
        }
    }
    if (quoted) return std::nullopt;
    return fields;
}

}  // namespace

FeedEntries parse_user_agent_csv_feed(std::string_view text, const FeedParseOptions& options) {
    using namespace feed_lines;
    FeedEntries out;
    bool header_seen = false;
    std::size_t ua_column = 0, category_column = 1, columns = 2;
    for_each_line(text, [&](std::size_t number, std::string_view line) {
        ++out.lines;
        if (line.empty() || line.front() == '#') {
            ++out.comments;
            return;
        }
        auto fields = split_csv(line);
        if (!fields) {
            out.issues.push_back({number, "unterminated quoted field", std::string(clip(line))});
            return;
        }
        if (!header_seen) {
            header_seen = true;
            std::optional<std::size_t> ua, category;
            for (std::size_t i = 0; i < fields->size(); ++i) {
                auto name = trim((*fields)[i]);
                if (iequals(name, "UserAgent"))
                    ua = i;
                else if (iequals(name, "UserAgentCategory") || iequals(name, "Category"))
                    category = i;
            }
            if (ua && category) {
                ua_column = *ua;
                category_column = *category;
                columns = fields->size();
                return;
            }
            // No header: read this and the following rows as UserAgent,Category.
            out.issues.push_back(
                {number, "expected header 'UserAgent,UserAgentCategory'; assuming that layout",
                 std::string(clip(line))});
        }
        if (fields->size() != columns) {
            out.issues.push_back({number,
                                  "expected " + std::to_string(columns) + " columns, found " +
                                      std::to_string(fields->size()),
                                  std::string(clip(line))});
            return;
        }
        auto category = trim((*fields)[category_column]);
        if (!iequals(category, options.user_agent_category)) {
            ++out.rows_other_category;
            return;
        }
        auto term = trim((*fields)[ua_column]);
        if (term.empty()) {
            out.issues.push_back({number, "empty User-Agent term", std::string(clip(line))});
            return;
        }
        out.user_agents.push_back({std::string(term), number});
    });
    return out;
}

}  // namespace minewall::policy
