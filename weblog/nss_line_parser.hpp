#pragma once
// Reads NSS web-log lines back into key/value pairs the way the SIEMs do: tab-separated
// key=value (Splunk zscalernss-web), JSON (HEC envelope, Cloud NSS, Elastic; arrays too),
// CEF (header fields + extension with \= \\ \n unescaped) and LEEF 1.0/2.0.
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace minewall::weblog {

enum class LogSyntax { Auto, SplunkKv, Json, Cef, Leef };

struct ParsedLogRecord {
    LogSyntax syntax = LogSyntax::Auto;
    // In line order; duplicates kept (NSS lines may repeat a key). JSON envelopes contribute
    // their members too ("sourcetype"), the "event" object's members follow. CEF header
    // fields are named as Sentinel's CommonSecurityLog names them: DeviceVendor,
    // DeviceProduct, DeviceVersion, DeviceEventClassID, Activity, LogSeverity.
    std::vector<std::pair<std::string, std::string>> fields;

    // First value of `key`, or nullptr.
    const std::string* find(std::string_view key) const;
    std::string value_or(std::string_view key, std::string_view fallback = {}) const;
};

struct LineParseResult {
    std::vector<ParsedLogRecord> records;  // a JSON array line gives several
    std::string error;                     // empty when the line was understood
};

// Parses one line (no trailing newline needed). Auto picks the syntax from the content.
LineParseResult parse_nss_line(std::string_view line, LogSyntax syntax = LogSyntax::Auto);

// The syntax of a preset's lines (nullopt for unknown presets).
std::optional<LogSyntax> log_syntax_for_preset(std::string_view preset);

}  // namespace minewall::weblog
