#include "weblog/feed_options.hpp"

#include <charconv>

#include "weblog/nss_presets.hpp"

namespace minewall::weblog {

std::optional<std::pair<std::string, std::uint16_t>> parse_host_port(std::string_view text) {
    std::string_view host;
    std::string_view port;
    if (text.starts_with('[')) {
        const auto close = text.find(']');
        if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
            return std::nullopt;
        }
        host = text.substr(1, close - 1);
        port = text.substr(close + 2);
    } else {
        const auto colon = text.rfind(':');
        if (colon == std::string_view::npos || text.find(':') != colon) return std::nullopt;
        host = text.substr(0, colon);
        port = text.substr(colon + 1);
    }
    unsigned value = 0;
    const auto res = std::from_chars(port.data(), port.data() + port.size(), value);
    if (host.empty() || res.ec != std::errc() || res.ptr != port.data() + port.size() ||
        value == 0 || value > 65535) {
        return std::nullopt;
    }
    return std::pair{std::string(host), static_cast<std::uint16_t>(value)};
}

FeedSpecResult parse_feed_spec(std::string_view spec) {
    const auto colon = spec.find(':');
    if (colon == std::string_view::npos || colon == 0 || colon + 1 >= spec.size()) {
        return {std::nullopt,
                "weblog feed '" + std::string(spec) +
                    "' is not PRESET:DESTINATION (e.g. splunk:/var/log/minewall/web.log)"};
    }
    const std::string_view preset = spec.substr(0, colon);
    const std::string_view dest = spec.substr(colon + 1);
    if (!find_preset(preset)) {
        std::string names;
        for (std::string_view n : preset_names())
            names += (names.empty() ? "" : ", ") + std::string(n);
        return {std::nullopt,
                "unknown weblog preset '" + std::string(preset) + "' (one of: " + names + ")"};
    }
    FeedOptions feed;
    feed.name = std::string(preset);
    feed.preset = std::string(preset);
    if (dest.starts_with("tcp://") || dest.starts_with("tls://")) {
        const auto hp = parse_host_port(dest.substr(6));
        if (!hp) {
            return {std::nullopt, "weblog destination '" + std::string(dest) +
                                      "' needs host:port after " + std::string(dest.substr(0, 6))};
        }
        StreamDestination stream;
        stream.host = hp->first;
        stream.port = hp->second;
        stream.tls.enabled = dest.starts_with("tls://");
        feed.destination = stream;
    } else if (dest.starts_with("http://") || dest.starts_with("https://")) {
        HttpDestination http;
        http.url = std::string(dest);
        http.tls.enabled = dest.starts_with("https://");
        feed.destination = http;
    } else if (dest.find("://") != std::string_view::npos) {
        return {std::nullopt, "unsupported weblog destination '" + std::string(dest) +
                                  "' (a file path, tcp://, tls://, http:// or https://)"};
    } else {
        feed.destination = FileDestination{std::string(dest), {}};
    }
    return {std::move(feed), {}};
}

FeedFormatResult compile_feed_format(const FeedOptions& feed, std::string product_version,
                                     std::string service_ip) {
    std::string text = feed.format;
    if (text.empty()) {
        const auto preset = preset_format(feed.preset);
        if (!preset) {
            return {std::nullopt, "feed '" + feed.name + "': unknown preset '" + feed.preset + "'"};
        }
        text = *preset;
    }
    NssFormatOptions options;
    options.escape_chars = feed.escape_chars;
    options.product_version = std::move(product_version);
    options.service_ip = std::move(service_ip);
    if (feed.json) {
        options.json = *feed.json ? JsonMode::Always : JsonMode::Never;
    } else if (const NssPreset* p = find_preset(feed.preset); feed.format.empty() && p) {
        options.json = p->json ? JsonMode::Always : JsonMode::Never;  // presets know
    }
    std::string tz_error;
    const auto tz = FeedTimeZone::load(feed.time_zone, tz_error);
    if (!tz) return {std::nullopt, "feed '" + feed.name + "': " + tz_error};
    options.time_zone = *tz;
    auto compiled = NssFormat::compile(text, std::move(options));
    if (!compiled.format) {
        return {std::nullopt, "feed '" + feed.name + "': format: " + compiled.error};
    }
    return {std::move(compiled.format), {}};
}

}  // namespace minewall::weblog
