#pragma once
// Line iteration shared by the feed parsers: 1-based numbers, CR stripped, trimmed.
#include <cstddef>
#include <string_view>

#include "policy/feed_parser.hpp"
#include "text/ascii_text.hpp"

namespace minewall::policy::feed_lines {

// Feeds are text files: blank means ASCII white space, as everywhere else in minewall.
inline bool blank(char c) {
    return text::is_space(c);
}

inline std::string_view trim(std::string_view s) {
    return text::trim(s);
}

// Calls visit(line_number, trimmed_line) for every line of `text`.
template <class Visit>
void for_each_line(std::string_view text, Visit&& visit) {
    std::size_t number = 0;
    // A UTF-8 byte-order mark would otherwise end up in the first entry.
    if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
    while (!text.empty()) {
        auto nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
        visit(++number, trim(line));
    }
}

// The line-oriented feeds (hosts files, domain lists, IP lists): calls
// visit(line_number, entry, line) for every line that holds an entry, where `entry` is the
// trimmed text before a '#' (a comment may start anywhere) and `line` the whole trimmed line, for
// error messages. Blank lines, comment lines and lines starting with a character of
// `line_comment` (e.g. "!" in domain lists) are counted in out.comments; every line in out.lines.
template <class Visit>
void for_each_entry(std::string_view text, FeedEntries& out, std::string_view line_comment,
                    Visit&& visit) {
    for_each_line(text, [&](std::size_t number, std::string_view line) {
        ++out.lines;
        std::string_view entry = line;
        if (auto hash = entry.find('#'); hash != std::string_view::npos)
            entry = trim(entry.substr(0, hash));
        if (entry.empty() || line_comment.find(entry.front()) != std::string_view::npos) {
            ++out.comments;
            return;
        }
        visit(number, entry, line);
    });
}

inline std::string_view clip(std::string_view s) {
    return s.substr(0, 200);
}

// A feed entry without a dot ("com", "lan") would cover a whole top-level domain: third-party
// data that broad is a mistake, so feeds refuse it (policy rules may still list one on purpose).
inline bool single_label(std::string_view domain) {
    return domain.find('.') == std::string_view::npos;
}

}  // namespace minewall::policy::feed_lines
