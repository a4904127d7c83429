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

// Rejects nesting deeper than max_depth before parsing (bounded work on hostile input).
JsonText parse_json_text(std::string_view text, int max_depth = 32);

}  // namespace minewall::policy
