#pragma once
// Real and crafted TLS ClientHello bytes for the parser tests, the fuzz corpus writer and the
// bump tests. Real hellos come from an OpenSSL client handshaking into a memory BIO: no sockets.

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

struct ssl_session_st;

namespace minewall::test {

using Bytes = std::vector<std::uint8_t>;

struct OpenSslHelloSpec {
    std::optional<std::string> sni;
    std::vector<std::string> alpn;
    bool tls12_only = false;           // max version TLS 1.2 (no supported_versions)
    ssl_session_st* resume = nullptr;  // offer this session (TLS 1.3: pre_shared_key)
};

// The bytes an OpenSSL 3 client sends first (one TLS record holding the ClientHello).
Bytes openssl_client_hello(const OpenSslHelloSpec& spec);

// Re-frames a single-record hello into records of at most `fragment` payload bytes each.
Bytes refragment(const Bytes& single_record_hello, std::size_t fragment);

// A hand-built hello, for what OpenSSL clients do not send (GREASE, huge or broken fields).
struct CraftedHello {
    std::uint16_t legacy_version = 0x0303;
    std::vector<std::uint16_t> ciphers = {0x1301, 0x1302, 0xc02b};
    std::vector<std::pair<std::uint16_t, Bytes>> extensions;
    Bytes handshake() const;  // handshake header + ClientHello body
};

// Wraps handshake bytes into handshake records of at most `fragment` bytes each.
Bytes wrap_in_records(const Bytes& handshake, std::size_t fragment = 16384);

// Extension bodies in wire format.
Bytes server_name_extension(const std::string& host);
Bytes alpn_extension(const std::vector<std::string>& protocols);
Bytes supported_versions_extension(const std::vector<std::uint16_t>& versions);
Bytes key_share_extension(const std::vector<std::uint16_t>& groups);  // 32-byte dummy keys

// Chrome-like: GREASE cipher, GREASE extensions first and last, GREASE in supported_versions,
// supported_groups and key_share, SNI, ALPN h2 + http/1.1.
Bytes grease_hello(const std::string& sni);

}  // namespace minewall::test
