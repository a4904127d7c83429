#include "certs/host_name.hpp"

#include <arpa/inet.h>

#include <cstring>

namespace minewall::certs {
namespace {

bool valid_label_byte(char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

std::optional<CertHost> parse_ip(const std::string& text) {
    CertHost host;
    char canonical[INET6_ADDRSTRLEN] = {};
    if (inet_pton(AF_INET, text.c_str(), host.ip.data()) == 1) {
        host.kind = HostKind::ipv4;
        host.ip_length = 4;
        inet_ntop(AF_INET, host.ip.data(), canonical, sizeof canonical);
    } else if (inet_pton(AF_INET6, text.c_str(), host.ip.data()) == 1) {
        host.kind = HostKind::ipv6;
        host.ip_length = 16;
        inet_ntop(AF_INET6, host.ip.data(), canonical, sizeof canonical);
    } else {
        return std::nullopt;
    }
    host.name = canonical;
    return host;
}

}  // namespace

CertHostResult normalize_cert_host(std::string_view host) {
    std::string text(host);
    if (text.size() >= 2 && text.front() == '[' && text.back() == ']') {
        text = text.substr(1, text.size() - 2);
    }
    if (auto ip = parse_ip(text)) return {std::move(ip), {}};

    if (!text.empty() && text.back() == '.') text.pop_back();
    if (text.empty()) return {std::nullopt, "host name is empty"};
    if (text.size() > 253) return {std::nullopt, "host name is longer than 253 bytes"};
    std::size_t label_length = 0;
    for (char& c : text) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        if (c == '.') {
            if (label_length == 0) return {std::nullopt, "host name has an empty label"};
            label_length = 0;
            continue;
        }
        if (!valid_label_byte(c)) {
            return {std::nullopt, "host name contains a byte outside [A-Za-z0-9-_.]"};
        }
        if (++label_length > 63) return {std::nullopt, "host name has a label over 63 bytes"};
    }
    CertHost out;
    out.name = std::move(text);
    return {std::move(out), {}};
}

}  // namespace minewall::certs
