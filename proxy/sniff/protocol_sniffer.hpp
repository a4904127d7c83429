#pragma once
// Classifies the first bytes a client sends: a TLS ClientHello, an HTTP/1.x request line (or the
// HTTP/2 preface), or something else (stratum JSON, SSH, random bytes). Pure and cheap: it looks at
// no more than the longest method name plus one byte.

#include <cstdint>
#include <span>

namespace minewall::sniff {

enum class FirstBytesKind {
    need_more,  // every byte so far is a prefix of both a known protocol start and something else
    tls,        // 0x16 0x03 0x00..0x04: a TLS handshake record
    http,       // a known HTTP method token followed by a space ("PRI " for the HTTP/2 preface)
    other,
};

const char* to_string(FirstBytesKind kind);

FirstBytesKind sniff_first_bytes(std::span<const std::uint8_t> bytes);

}  // namespace minewall::sniff
