#pragma once
// YAML text -> Config. Every problem is reported as "file:line:column: message"; loading
// continues past an error so one run lists all of them.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"

namespace minewall::config {

struct ConfigError {
    std::string file;
    int line = 0;    // 1-based; 0 when the error is not tied to a position
    int column = 0;  // 1-based
    std::string message;

    std::string to_string() const;
};

struct ConfigLoadResult {
    std::optional<Config> config;  // set only when errors is empty
    std::vector<ConfigError> errors;

    bool ok() const { return config.has_value(); }
};

// Parses YAML text; `file_name` is only used in error messages.
ConfigLoadResult load_config_text(std::string_view yaml_text, const std::string& file_name);

// Reads and parses a file; a missing/unreadable file is an error with line 0.
ConfigLoadResult load_config_file(const std::string& path);

// The configuration minewall runs with when no --config is given (config/minewall.yaml,
// compiled in).
std::string_view embedded_default_config_text();
Config embedded_default_config();

// Parses "10s", "500ms", "5m", "1h" (a bare number is an error: units are required).
std::optional<Millis> parse_duration(std::string_view text);

// Parses "ADDR:PORT", "[v6]:PORT" or ":PORT" (address defaults to 127.0.0.1). Port 0 (any
// free port) only when allow_any_port is set.
std::optional<ListenerConfig> parse_listen_spec(std::string_view text, bool allow_any_port = false);

}  // namespace minewall::config
