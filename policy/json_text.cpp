#include "policy/json_text.hpp"

namespace minewall::policy {
namespace {

// Deepest nesting outside strings; -1 when it exceeds `limit`.
int nesting_depth(std::string_view text, int limit) {
    int depth = 0, deepest = 0;
    bool in_string = false, escaped = false;
    for (char c : text) {
        if (in_string) {
            if (escaped)
                escaped = false;
            else if (c == '\\')
                escaped = true;
            else if (c == '"')
                in_string = false;
            continue;
        }
        if (c == '"')
            in_string = true;
        else if (c == '{' || c == '[') {
            if (++depth > limit) return -1;
            deepest = std::max(deepest, depth);
        } else if (c == '}' || c == ']')
            --depth;
    }
    return deepest;
}

// Records where the parser gave up; that position tells truncation from garbage.
class ErrorPosition : public nlohmann::json_sax<nlohmann::json> {
  public:
    std::size_t position = 0;
    bool null() override { return true; }
    bool boolean(bool) override { return true; }
    bool number_integer(number_integer_t) override { return true; }
    bool number_unsigned(number_unsigned_t) override { return true; }
    bool number_float(number_float_t, const string_t&) override { return true; }
    bool string(string_t&) override { return true; }
    bool binary(binary_t&) override { return true; }
    bool start_object(std::size_t) override { return true; }
    bool key(string_t&) override { return true; }
    bool end_object() override { return true; }
    bool start_array(std::size_t) override { return true; }
    bool end_array() override { return true; }
    bool parse_error(std::size_t pos, const std::string&,
                     const nlohmann::detail::exception&) override {
        position = pos;
        return false;
    }
};

}  // namespace

JsonText parse_json_text(std::string_view text, int max_depth) {
    JsonText out;
    if (nesting_depth(text, max_depth) < 0) return out;
    out.value = nlohmann::json::parse(text.begin(), text.end(), nullptr, false);
    if (!out.value.is_discarded()) {
        out.status = JsonTextStatus::Complete;
        return out;
    }
    out.value = nullptr;
    ErrorPosition probe;
    nlohmann::json::sax_parse(text.begin(), text.end(), &probe,
                              nlohmann::json::input_format_t::json, true);
    // The parser reports one past the last byte when it ran out of input mid-value.
    out.status =
        probe.position > text.size() ? JsonTextStatus::Incomplete : JsonTextStatus::Invalid;
    return out;
}

}  // namespace minewall::policy
