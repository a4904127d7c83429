#include "proxy/ops/weblog_setup.hpp"

#include <set>

namespace minewall::proxy {

namespace {

std::string resolve_destination(const std::string& destination, const std::string& state_dir) {
    if (destination.find("://") != std::string::npos || destination.front() == '/')
        return destination;
    return state_dir + "/" + destination;
}

// Applies the settings a PRESET:DEST spec cannot say.
void apply_feed_settings(const config::WeblogFeedConfig& f, weblog::FeedOptions& feed) {
    if (!f.name.empty()) feed.name = f.name;
    if (!f.format.empty()) {
        feed.format = f.format;
        feed.preset.clear();
        if (f.name.empty()) feed.name = "custom";
    }
    feed.escape_chars = f.escape_chars;
    feed.time_zone = f.time_zone;
    if (auto* file = std::get_if<weblog::FileDestination>(&feed.destination)) {
        file->rotation.max_bytes = f.rotate_max_bytes;
        file->rotation.daily = f.rotate_daily;
        file->rotation.keep_files = f.keep_files;
    } else if (auto* stream = std::get_if<weblog::StreamDestination>(&feed.destination)) {
        stream->framing = f.octet_counting ? weblog::StreamFraming::OctetCounting
                                           : weblog::StreamFraming::Newline;
        stream->tls.ca_file = f.ca_file;
        stream->tls.verify_peer = f.verify;
    } else if (auto* http = std::get_if<weblog::HttpDestination>(&feed.destination)) {
        http->token = f.token;
        http->tls.ca_file = f.ca_file;
        http->tls.verify_peer = f.verify;
    }
}

}  // namespace

WeblogFeedsResult build_weblog_feeds(const config::Config& config, const std::string& config_file,
                                     const std::vector<std::string>& extra_specs) {
    WeblogFeedsResult result;
    const std::string state_dir = config::effective_state_dir(config);
    const std::string where = config_file.empty() ? "<embedded default>" : config_file;
    std::set<std::string> names;

    auto add = [&](weblog::FeedOptions feed, const std::string& origin) {
        // Names must be unique: they name each feed's disk buffer.
        std::string base = feed.name;
        for (int i = 2; names.count(feed.name); ++i)
            feed.name = base + "-" + std::to_string(i);
        names.insert(feed.name);
        feed.delivery.spill_dir = state_dir + "/weblog-buffer";
        auto compiled = weblog::compile_feed_format(feed);
        if (!compiled.format) {
            result.errors.push_back(origin + ": " + compiled.error);
            return;
        }
        result.feeds.push_back(std::move(feed));
    };

    for (const auto& f : config.weblog.feeds) {
        const std::string origin = where + ":" + std::to_string(f.line);
        // A custom format still needs a valid spec to parse the destination: any preset does.
        const std::string preset = f.format.empty() ? f.preset : "json";
        auto parsed =
            weblog::parse_feed_spec(preset + ":" + resolve_destination(f.destination, state_dir));
        if (!parsed.feed) {
            result.errors.push_back(origin + ": " + parsed.error);
            continue;
        }
        apply_feed_settings(f, *parsed.feed);
        add(std::move(*parsed.feed), origin);
    }
    for (const auto& spec : extra_specs) {
        auto parsed = weblog::parse_feed_spec(spec);
        if (!parsed.feed) {
            result.errors.push_back("--weblog: " + parsed.error);
            continue;
        }
        add(std::move(*parsed.feed), "--weblog " + spec);
    }
    return result;
}

}  // namespace minewall::proxy
