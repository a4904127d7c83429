#pragma once
// Parsing of the request targets a forward proxy receives: absolute-form URLs
// (GET http://host:port/path) and authority-form CONNECT targets (host:port).
// Pure functions, no sockets.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace minewall::proxy {

struct Authority {
    std::string host;  // lower-case name, dotted IPv4, or IPv6 without brackets
    std::uint16_t port = 0;
    bool is_ipv6 = false;

    // host:port with IPv6 bracketed, as it appears in a URL or CONNECT line.
    std::string to_string() const;
    // host alone, or host:port when the port is not the scheme default.
    std::string host_header(std::uint16_t default_port) const;
};

// "host:port" or "[v6]:port". Without a port: default_port, or nullopt when default_port is 0.
std::optional<Authority> parse_authority(std::string_view text, std::uint16_t default_port = 0);

struct AbsoluteTarget {
    std::string scheme;  // "http" or "https", lower-case
    Authority authority;
    std::string path;  // origin-form: "/path?query", never empty
};

// "http://host[:port]/path?query". Rejects user-info ("http://u@host/"), fragments are cut.
std::optional<AbsoluteTarget> parse_absolute_target(std::string_view target);

// True when host is a syntactically valid DNS name (letters, digits, '-', '_', dots).
bool is_valid_host_name(std::string_view host);

// RFC 6761: ".invalid" names must fail resolution at once, without asking DNS.
bool is_reserved_invalid_name(std::string_view host);

}  // namespace minewall::proxy
