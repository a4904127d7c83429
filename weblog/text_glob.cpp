#include "weblog/text_glob.hpp"

#include "text/ascii_text.hpp"

namespace minewall::weblog {
namespace {

char fold(char c, bool ignore_case) {
    return ignore_case ? text::to_lower(c) : c;
}

}  // namespace

bool glob_matches(std::string_view pattern, std::string_view text, bool ignore_case) {
    // Iterative matcher with one backtrack point: linear for patterns made of '*' and text.
    std::size_t p = 0, t = 0;
    std::size_t star = std::string_view::npos, retry = 0;
    while (t < text.size()) {
        if (p < pattern.size() && pattern[p] == '*') {
            star = p++;
            retry = t;
        } else if (p < pattern.size() && (pattern[p] == '?' || fold(pattern[p], ignore_case) ==
                                                                   fold(text[t], ignore_case))) {
            ++p, ++t;
        } else if (star != std::string_view::npos) {
            p = star + 1;
            t = ++retry;
        } else {
            return false;
        }
    }
    while (p < pattern.size() && pattern[p] == '*')
        ++p;
    return p == pattern.size();
}

}  // namespace minewall::weblog
