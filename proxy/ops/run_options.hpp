#pragma once
// The command-line settings of `minewall run` and how they override the configuration file.
#include <optional>
#include <string>
#include <vector>

#include "config/config_loader.hpp"

namespace minewall::proxy {

struct RunOptions {
    std::string config_file;          // empty: the embedded default
    std::vector<std::string> listen;  // ADDR:PORT, replaces the configured listeners
    std::string state_dir;
    std::string log_level;
    std::optional<unsigned> worker_threads;
    std::vector<std::string> weblog_specs;  // --weblog PRESET:DESTINATION
    std::string ca_dir;                     // --ca-dir
    std::string upstream_ca;                // --upstream-ca
    bool no_intercept = false;              // --no-intercept
};

// Loads the configuration file (or the embedded default) and applies the flags on top.
// Errors carry file:line:column; flag errors name the flag.
config::ConfigLoadResult load_run_config(const RunOptions& options);

}  // namespace minewall::proxy
