#pragma once
// Pure parser for a TLS ClientHello peeked from a client connection, before any byte is consumed.
// It never touches a socket: feed it every byte read so far and it says whether it needs more,
// whether the stream is not TLS at all, whether the hello is broken, or what the hello carries.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace minewall::sniff {

enum class ClientHelloStatus {
    need_more,  // a valid prefix of a ClientHello; read more bytes and call again
    not_tls,    // the first bytes are not a TLS handshake record (HTTP, stratum JSON, SSLv2...)
    malformed,  // starts like TLS but breaks the grammar, or exceeds the size cap
    complete,   // the whole ClientHello was read; `info` is filled
};

const char* to_string(ClientHelloStatus status);

// What a ClientHello says, as far as a proxy needs it for policy, logging and bump decisions.
struct ClientHelloInfo {
    bool has_sni = false;
    std::string sni;                // lower-cased host_name from server_name
    std::vector<std::string> alpn;  // protocols in client order, e.g. "h2", "http/1.1"
    std::vector<std::uint16_t> supported_versions;  // as sent (GREASE included), e.g. 0x0304
    std::uint16_t record_version = 0;               // version field of the first record header
    std::uint16_t legacy_version = 0;            // ClientHello.legacy_version (0x0303 for TLS 1.3)
    std::size_t cipher_count = 0;                // cipher suites offered, GREASE included
    std::vector<std::uint16_t> extension_types;  // in order, GREASE included (for fingerprints)
    bool has_grease = false;                     // any GREASE value (RFC 8701) anywhere we look
    bool has_key_share = false;
    bool has_pre_shared_key = false;
    bool has_ech = false;          // encrypted_client_hello (0xfe0d): SNI is outer
    std::size_t record_bytes = 0;  // bytes of the TLS records holding the hello

    // Highest non-GREASE version offered: supported_versions if present, else legacy_version.
    std::uint16_t max_version() const;
};

struct ClientHelloResult {
    ClientHelloStatus status = ClientHelloStatus::need_more;
    ClientHelloInfo info;  // valid when status == complete
    std::string error;     // why, when status is not_tls or malformed
};

// 64 KiB: far above any real hello (Chrome with post-quantum key shares sends ~1.8 KiB), small
// enough that a peer cannot make the proxy buffer much before it decides.
inline constexpr std::size_t default_client_hello_limit = 64 * 1024;

// Parses the bytes received so far. Stateless: call again with the grown buffer after each read.
// Decides not_tls from the first byte where possible (at most the first three bytes).
// `max_hello_bytes` caps the handshake message; a larger declared length is malformed at once.
ClientHelloResult parse_client_hello(std::span<const std::uint8_t> bytes,
                                     std::size_t max_hello_bytes = default_client_hello_limit);

// RFC 8701 reserves 0x?a?a values (both bytes equal, low nibble 0xa) so servers learn to ignore
// unknown values; they must never make us reject a hello.
constexpr bool is_grease(std::uint16_t value) {
    return (value & 0x0f0f) == 0x0a0a && (value >> 8) == (value & 0xff);
}

}  // namespace minewall::sniff
