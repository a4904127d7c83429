#pragma once
// One feed = one format + one destination. Plain structs: config/ maps YAML onto them, the
// command line uses parse_feed_spec("PRESET:DESTINATION").
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "weblog/file_sink.hpp"
#include "weblog/network_destination.hpp"
#include "weblog/nss_format.hpp"

namespace minewall::weblog {

using FeedDestination = std::variant<FileDestination, StreamDestination, HttpDestination>;

struct FeedOptions {
    std::string name;          // unique per process; names the disk buffer file
    std::string preset;        // used when `format` is empty
    std::string format;        // custom NSS feed output format
    std::string escape_chars;  // feed escape characters
    std::string time_zone = "GMT";
    std::optional<bool> json;  // force JSON value escaping on/off (default: detect)
    FeedDestination destination;
    DeliveryOptions delivery;  // network destinations only
};

struct FeedSpecResult {
    std::optional<FeedOptions> feed;
    std::string error;
};

// "PRESET:DESTINATION" where DESTINATION is a file path, tcp://host:port, tls://host:port
// (verified TLS), or http(s)://host[:port]/path. The feed is named after the preset.
//   splunk:/var/log/minewall/web.log   sentinel-cef:tcp://10.0.0.4:514
//   splunk-hec:https://splunk:8088/services/collector/event
FeedSpecResult parse_feed_spec(std::string_view spec);

// "host:port" / "[v6]:port" → host and port; nullopt on error.
std::optional<std::pair<std::string, std::uint16_t>> parse_host_port(std::string_view text);

struct FeedFormatResult {
    std::optional<NssFormat> format;
    std::string error;
};

// The feed's compiled format (preset or custom), its time zone and escape characters.
FeedFormatResult compile_feed_format(const FeedOptions& feed, std::string product_version = {},
                                     std::string service_ip = {});

}  // namespace minewall::weblog
