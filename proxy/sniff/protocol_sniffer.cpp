#include "proxy/sniff/protocol_sniffer.hpp"

#include <algorithm>
#include <array>
#include <string_view>

namespace minewall::sniff {
namespace {

// Methods of RFC 9110 plus PATCH and the HTTP/2 connection preface. WebDAV verbs are rare through
// a forward proxy; they classify as "other" rather than widening the set of accepted openings.
constexpr std::array<std::string_view, 10> http_starts = {
    "GET ", "POST ", "HEAD ", "PUT ", "DELETE ", "OPTIONS ", "CONNECT ", "PATCH ", "TRACE ", "PRI ",
};

FirstBytesKind sniff_tls(std::span<const std::uint8_t> bytes) {
    if (bytes.size() >= 2 && bytes[1] != 0x03) return FirstBytesKind::other;
    if (bytes.size() >= 3 && bytes[2] > 0x04) return FirstBytesKind::other;
    return bytes.size() >= 3 ? FirstBytesKind::tls : FirstBytesKind::need_more;
}

FirstBytesKind sniff_http(std::span<const std::uint8_t> bytes) {
    const std::string_view seen(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    bool prefix_of_some = false;
    for (auto start : http_starts) {
        if (seen.size() >= start.size()) {
            if (seen.substr(0, start.size()) == start) return FirstBytesKind::http;
        } else if (start.substr(0, seen.size()) == seen) {
            prefix_of_some = true;
        }
    }
    return prefix_of_some ? FirstBytesKind::need_more : FirstBytesKind::other;
}

}  // namespace

const char* to_string(FirstBytesKind kind) {
    switch (kind) {
        case FirstBytesKind::need_more:
            return "need_more";
        case FirstBytesKind::tls:
            return "tls";
        case FirstBytesKind::http:
            return "http";
        case FirstBytesKind::other:
            return "other";
    }
    return "unknown";
}

FirstBytesKind sniff_first_bytes(std::span<const std::uint8_t> bytes) {
    if (bytes.empty()) return FirstBytesKind::need_more;
    if (bytes[0] == 0x16) return sniff_tls(bytes);
    return sniff_http(bytes);
}

}  // namespace minewall::sniff
