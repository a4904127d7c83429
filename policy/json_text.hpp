#pragma once
// Parses one JSON text from untrusted bytes without exceptions and tells "incomplete, wait for
// more bytes" apart from "not JSON". Internal to the policy detectors.
#include <nlohmann/json.hpp>
#include <string_view>

namespace minewall::policy {

enum class JsonTextStatus { Complete, Incomplete, Invalid };

struct JsonText {
    JsonTextStatus status = JsonTextStatus::Invalid;
    nlohmann::json value;  // set when Complete
};

// JSON's own white space (RFC 8259, section 2): space, tab, LF, CR, the only bytes allowed around
// a JSON text and the stratum detectors' notion of a blank. Narrower than text::is_space on
// purpose: a JSON parser (ours and a pool's) refuses a form feed or vertical tab there.
inline bool is_json_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

inline std::string_view skip_json_space(std::string_view s) {
    while (!s.empty() && is_json_space(s.front()))
        s.remove_prefix(1);
    return s;
}

inline std::string_view trim_json_space(std::string_view s) {
    s = skip_json_space(s);
    while (!s.empty() && is_json_space(s.back()))
        s.remove_suffix(1);
    return s;
}

// Rejects nesting deeper than max_depth before parsing (bounded work on hostile input).
JsonText parse_json_text(std::string_view text, int max_depth = 32);

}  // namespace minewall::policy
