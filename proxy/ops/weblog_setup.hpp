#pragma once
// Turns the weblog settings (config file feeds plus --weblog PRESET:DEST flags) into the
// weblog module's feed options, resolving file paths under the state directory and giving
// network feeds a disk buffer there. Every feed's format is compiled to validate it.
#include <string>
#include <vector>

#include "config/config.hpp"
#include "weblog/feed_options.hpp"

namespace minewall::proxy {

struct WeblogFeedsResult {
    std::vector<weblog::FeedOptions> feeds;
    std::vector<std::string> errors;  // "file:line: message" for configured feeds
};

WeblogFeedsResult build_weblog_feeds(const config::Config& config, const std::string& config_file,
                                     const std::vector<std::string>& extra_specs);

}  // namespace minewall::proxy
