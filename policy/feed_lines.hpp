#pragma once
// Line iteration shared by the feed parsers: 1-based numbers, CR stripped, trimmed.
#include <cstddef>
#include <string_view>

namespace minewall::policy::feed_lines {

inline bool blank(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

inline std::string_view trim(std::string_view s) {
    while (!s.empty() && blank(s.front()))
        s.remove_prefix(1);
    while (!s.empty() && blank(s.back()))
        s.remove_suffix(1);
    return s;
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

inline std::string_view clip(std::string_view s) {
    return s.substr(0, 200);
}

// A feed entry without a dot ("com", "lan") would cover a whole top-level domain: third-party
// data that broad is a mistake, so feeds refuse it (policy rules may still list one on purpose).
inline bool single_label(std::string_view domain) {
    return domain.find('.') == std::string_view::npos;
}

}  // namespace minewall::policy::feed_lines
