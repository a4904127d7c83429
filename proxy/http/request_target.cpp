#include "proxy/http/request_target.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <charconv>

#include "text/ascii_text.hpp"

namespace minewall::proxy {

namespace {

bool is_ipv6_literal(std::string_view s) {
    if (s.empty() || s.size() >= INET6_ADDRSTRLEN) return false;
    char buf[INET6_ADDRSTRLEN] = {};
    std::copy(s.begin(), s.end(), buf);
    in6_addr addr{};
    return inet_pton(AF_INET6, buf, &addr) == 1;
}

}  // namespace

bool is_valid_host_name(std::string_view host) {
    if (host.empty() || host.size() > 253) return false;
    std::size_t label = 0;
    for (char c : host) {
        if (c == '.') {
            if (label == 0) return false;
            label = 0;
            continue;
        }
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_')) return false;
        if (++label > 63) return false;
    }
    return true;
}

bool is_reserved_invalid_name(std::string_view host) {
    if (!host.empty() && host.back() == '.') host.remove_suffix(1);
    return host == "invalid" || (host.size() > 8 && host.substr(host.size() - 8) == ".invalid");
}

std::string Authority::to_string() const {
    std::string out = is_ipv6 ? "[" + host + "]" : host;
    return out + ":" + std::to_string(port);
}

std::string Authority::host_header(std::uint16_t default_port) const {
    std::string out = is_ipv6 ? "[" + host + "]" : host;
    if (port != default_port) out += ":" + std::to_string(port);
    return out;
}

std::optional<Authority> parse_authority(std::string_view text, std::uint16_t default_port) {
    Authority result;
    std::string_view host;
    std::string_view rest;
    if (!text.empty() && text.front() == '[') {
        auto close = text.find(']');
        if (close == std::string_view::npos) return std::nullopt;
        host = text.substr(1, close - 1);
        if (!is_ipv6_literal(host)) return std::nullopt;
        result.is_ipv6 = true;
        rest = text.substr(close + 1);
    } else {
        auto colon = text.find(':');
        host = text.substr(0, colon);
        rest = colon == std::string_view::npos ? std::string_view{} : text.substr(colon);
        if (!is_valid_host_name(host)) return std::nullopt;
    }
    if (rest.empty()) {
        if (default_port == 0) return std::nullopt;
        result.port = default_port;
    } else {
        if (rest.front() != ':' || rest.size() < 2) return std::nullopt;
        rest.remove_prefix(1);
        unsigned port = 0;
        auto [ptr, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), port);
        if (ec != std::errc{} || ptr != rest.data() + rest.size() || port == 0 || port > 65535)
            return std::nullopt;
        result.port = static_cast<std::uint16_t>(port);
    }
    result.host = text::to_lower(host);
    if (!result.host.empty() && result.host.back() == '.') result.host.pop_back();
    if (result.host.empty()) return std::nullopt;
    return result;
}

std::optional<AbsoluteTarget> parse_absolute_target(std::string_view target) {
    auto scheme_end = target.find("://");
    if (scheme_end == std::string_view::npos) return std::nullopt;
    AbsoluteTarget result;
    result.scheme = text::to_lower(target.substr(0, scheme_end));
    std::uint16_t default_port = 0;
    if (result.scheme == "http")
        default_port = 80;
    else if (result.scheme == "https")
        default_port = 443;
    else
        return std::nullopt;
    auto rest = target.substr(scheme_end + 3);
    auto path_start = rest.find_first_of("/?#");
    auto authority_text = rest.substr(0, path_start);
    // User-info in a proxied URL only serves to disguise the real host; refuse it.
    if (authority_text.find('@') != std::string_view::npos) return std::nullopt;
    auto authority = parse_authority(authority_text, default_port);
    if (!authority) return std::nullopt;
    result.authority = std::move(*authority);
    std::string_view path =
        path_start == std::string_view::npos ? std::string_view{} : rest.substr(path_start);
    path = path.substr(0, path.find('#'));
    result.path = path.empty() || path.front() != '/' ? "/" + std::string(path) : std::string(path);
    return result;
}

}  // namespace minewall::proxy
