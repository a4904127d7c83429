#include "proxy/sniff/client_hello.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <bitset>
#include <memory>

namespace minewall::sniff {
namespace {

constexpr std::uint8_t content_type_handshake = 22;
constexpr std::uint8_t handshake_type_client_hello = 1;
constexpr std::size_t record_header_size = 5;
constexpr std::size_t handshake_header_size = 4;
// RFC 8446 §5.1: a plaintext fragment is at most 2^14 bytes.
constexpr std::size_t max_record_payload = 16384;

constexpr std::uint16_t ext_server_name = 0x0000;
constexpr std::uint16_t ext_supported_groups = 0x000a;
constexpr std::uint16_t ext_alpn = 0x0010;
constexpr std::uint16_t ext_pre_shared_key = 0x0029;
constexpr std::uint16_t ext_supported_versions = 0x002b;
constexpr std::uint16_t ext_key_share = 0x0033;
constexpr std::uint16_t ext_encrypted_client_hello = 0xfe0d;

// Bounds-checked big-endian reader; the first short read latches `ok = false`.
class ByteReader {
  public:
    explicit ByteReader(std::span<const std::uint8_t> data) : data_(data) {}

    bool ok() const { return ok_; }
    std::size_t remaining() const { return data_.size() - pos_; }

    std::uint32_t number(std::size_t width) {
        if (!ok_ || remaining() < width) {
            ok_ = false;
            return 0;
        }
        std::uint32_t v = 0;
        for (std::size_t i = 0; i < width; ++i)
            v = (v << 8) | data_[pos_ + i];
        pos_ += width;
        return v;
    }
    std::uint8_t u8() { return static_cast<std::uint8_t>(number(1)); }
    std::uint16_t u16() { return static_cast<std::uint16_t>(number(2)); }

    std::span<const std::uint8_t> bytes(std::size_t n) {
        if (!ok_ || remaining() < n) {
            ok_ = false;
            return {};
        }
        auto out = data_.subspan(pos_, n);
        pos_ += n;
        return out;
    }
    // A length-prefixed vector: `width` bytes of length, then that many bytes.
    std::span<const std::uint8_t> vector(std::size_t width) { return bytes(number(width)); }

  private:
    std::span<const std::uint8_t> data_;
    std::size_t pos_ = 0;
    bool ok_ = true;
};

ClientHelloResult fail(ClientHelloStatus status, std::string error) {
    ClientHelloResult r;
    r.status = status;
    r.error = std::move(error);
    return r;
}

ClientHelloResult malformed(std::string error) {
    return fail(ClientHelloStatus::malformed, std::move(error));
}

// Hostnames in SNI are ASCII (RFC 6066 §3); control bytes or spaces would end up in logs and
// policy look-ups, so they make the hello malformed rather than being passed on.
bool valid_sni_byte(std::uint8_t c) {
    return c > 0x20 && c < 0x7f;
}

std::string parse_server_name(std::span<const std::uint8_t> data, ClientHelloInfo& info) {
    ByteReader r(data);
    ByteReader list(r.vector(2));
    if (!r.ok() || r.remaining() != 0) return "server_name list length is wrong";
    if (list.remaining() == 0) return "server_name list is empty";
    while (list.remaining() > 0) {
        const std::uint8_t type = list.u8();
        auto name = list.vector(2);
        if (!list.ok()) return "server_name entry is truncated";
        if (type != 0) continue;  // only host_name (0) is defined; skip future name types
        if (info.has_sni) return "server_name has more than one host_name";
        if (name.empty()) return "server_name host_name is empty";
        if (!std::all_of(name.begin(), name.end(), valid_sni_byte)) {
            return "server_name host_name contains non-printable bytes";
        }
        info.has_sni = true;
        info.sni.reserve(name.size());
        for (auto c : name) {
            info.sni.push_back(static_cast<char>(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c));
        }
    }
    return {};
}

std::string parse_alpn(std::span<const std::uint8_t> data, ClientHelloInfo& info) {
    ByteReader r(data);
    ByteReader list(r.vector(2));
    if (!r.ok() || r.remaining() != 0) return "ALPN list length is wrong";
    if (list.remaining() == 0) return "ALPN list is empty";
    while (list.remaining() > 0) {
        auto name = list.vector(1);
        if (!list.ok()) return "ALPN entry is truncated";
        if (name.empty()) return "ALPN protocol name is empty";
        info.alpn.emplace_back(name.begin(), name.end());
    }
    return {};
}

std::string parse_supported_versions(std::span<const std::uint8_t> data, ClientHelloInfo& info) {
    ByteReader r(data);
    ByteReader list(r.vector(1));
    if (!r.ok() || r.remaining() != 0) return "supported_versions length is wrong";
    if (list.remaining() == 0 || list.remaining() % 2 != 0) {
        return "supported_versions list has an odd or zero length";
    }
    while (list.remaining() > 0) {
        const std::uint16_t v = list.u16();
        info.has_grease |= is_grease(v);
        info.supported_versions.push_back(v);
    }
    return {};
}

std::string parse_supported_groups(std::span<const std::uint8_t> data, ClientHelloInfo& info) {
    ByteReader r(data);
    ByteReader list(r.vector(2));
    if (!r.ok() || r.remaining() != 0 || list.remaining() % 2 != 0) {
        return "supported_groups length is wrong";
    }
    while (list.remaining() > 0)
        info.has_grease |= is_grease(list.u16());
    return {};
}

std::string parse_key_share(std::span<const std::uint8_t> data, ClientHelloInfo& info) {
    ByteReader r(data);
    ByteReader list(r.vector(2));
    if (!r.ok() || r.remaining() != 0) return "key_share length is wrong";
    while (list.remaining() > 0) {
        info.has_grease |= is_grease(list.u16());
        list.vector(2);
        if (!list.ok()) return "key_share entry is truncated";
    }
    info.has_key_share = true;
    return {};
}

std::string parse_extension(std::uint16_t type, std::span<const std::uint8_t> data,
                            ClientHelloInfo& info) {
    switch (type) {
        case ext_server_name:
            return parse_server_name(data, info);
        case ext_alpn:
            return parse_alpn(data, info);
        case ext_supported_versions:
            return parse_supported_versions(data, info);
        case ext_supported_groups:
            return parse_supported_groups(data, info);
        case ext_key_share:
            return parse_key_share(data, info);
        case ext_pre_shared_key:
            info.has_pre_shared_key = true;
            return {};
        case ext_encrypted_client_hello:
            info.has_ech = true;
            return {};
        default:
            return {};  // unknown extensions are skipped, never an error
    }
}

// Parses a complete ClientHello body (after the 4-byte handshake header).
std::string parse_body(std::span<const std::uint8_t> body, ClientHelloInfo& info) {
    ByteReader r(body);
    info.legacy_version = r.u16();
    r.bytes(32);  // random
    auto session_id = r.vector(1);
    if (!r.ok()) return "ClientHello is truncated before the cipher suites";
    if (session_id.size() > 32) return "session id is longer than 32 bytes";
    if (info.legacy_version < 0x0300) {
        return fmt::format("ClientHello version 0x{:04x} is older than SSL 3.0",
                           info.legacy_version);
    }

    ByteReader ciphers(r.vector(2));
    if (!r.ok()) return "cipher suite list is truncated";
    if (ciphers.remaining() == 0 || ciphers.remaining() % 2 != 0) {
        return "cipher suite list has an odd or zero length";
    }
    info.cipher_count = ciphers.remaining() / 2;
    while (ciphers.remaining() > 0)
        info.has_grease |= is_grease(ciphers.u16());

    auto compression = r.vector(1);
    if (!r.ok()) return "compression method list is truncated";
    if (compression.empty()) return "compression method list is empty";

    if (r.remaining() == 0) return {};  // pre-TLS 1.2 hellos may carry no extensions at all

    ByteReader extensions(r.vector(2));
    if (!r.ok()) return "extension block is truncated";
    if (r.remaining() != 0) return "bytes after the extension block";

    // One bit per extension type: RFC 8446 §4.2 forbids duplicates, and a bitset keeps the
    // check linear even for a hostile hello full of tiny extensions.
    std::bitset<65536> seen;
    while (extensions.remaining() > 0) {
        const std::uint16_t type = extensions.u16();
        auto data = extensions.vector(2);
        if (!extensions.ok()) return "extension is truncated";
        if (seen.test(type)) return fmt::format("extension 0x{:04x} appears twice", type);
        seen.set(type);
        if (info.has_pre_shared_key) return "pre_shared_key is not the last extension";
        info.has_grease |= is_grease(type);
        info.extension_types.push_back(type);
        if (auto error = parse_extension(type, data, info); !error.empty()) return error;
    }
    return {};
}

}  // namespace

const char* to_string(ClientHelloStatus status) {
    switch (status) {
        case ClientHelloStatus::need_more:
            return "need_more";
        case ClientHelloStatus::not_tls:
            return "not_tls";
        case ClientHelloStatus::malformed:
            return "malformed";
        case ClientHelloStatus::complete:
            return "complete";
    }
    return "unknown";
}

std::uint16_t ClientHelloInfo::max_version() const {
    std::uint16_t best = 0;
    for (auto v : supported_versions) {
        if (!is_grease(v)) best = std::max(best, v);
    }
    return best != 0 ? best : legacy_version;
}

ClientHelloResult parse_client_hello(std::span<const std::uint8_t> bytes,
                                     std::size_t max_hello_bytes) {
    // The first three bytes decide "is this TLS at all" as early as possible, so a plain
    // HTTP request or a stratum login is handed elsewhere after one byte.
    if (bytes.empty()) return {};
    if (bytes[0] != content_type_handshake) {
        return fail(ClientHelloStatus::not_tls,
                    fmt::format("first byte 0x{:02x} is not a TLS handshake record", bytes[0]));
    }
    if (bytes.size() >= 2 && bytes[1] != 0x03) {
        return fail(ClientHelloStatus::not_tls,
                    fmt::format("record version major 0x{:02x} is not 3", bytes[1]));
    }
    if (bytes.size() >= 3 && bytes[2] > 0x04) {
        return fail(ClientHelloStatus::not_tls,
                    fmt::format("record version minor 0x{:02x} is unknown", bytes[2]));
    }

    // Walk the records, gathering handshake bytes. The hello normally sits in one record and is
    // then parsed in place; only a hello fragmented over records is copied into `joined`.
    std::vector<std::uint8_t> joined;
    std::span<const std::uint8_t> handshake;
    std::size_t offset = 0;
    std::size_t records = 0;
    while (true) {
        const std::size_t left = bytes.size() - offset;
        if (left == 0) return {};
        if (bytes[offset] != content_type_handshake) {
            return malformed(
                fmt::format("record of type {} inside the ClientHello", bytes[offset]));
        }
        if (left >= 2 && bytes[offset + 1] != 0x03) {
            return malformed("record version major is not 3");
        }
        if (left < record_header_size) return {};
        const std::size_t length = (std::size_t{bytes[offset + 3]} << 8) | bytes[offset + 4];
        if (length == 0) return malformed("empty handshake record");
        if (length > max_record_payload) {
            return malformed(fmt::format("record of {} bytes exceeds 16384", length));
        }
        const std::size_t available = std::min(length, left - record_header_size);
        auto fragment = bytes.subspan(offset + record_header_size, available);
        const bool record_complete = available == length;
        if (records == 0 && record_complete) {
            handshake = fragment;
        } else {
            if (joined.empty()) joined.assign(handshake.begin(), handshake.end());
            joined.insert(joined.end(), fragment.begin(), fragment.end());
            handshake = joined;
        }
        ++records;

        if (handshake.size() >= 1 && handshake[0] != handshake_type_client_hello) {
            return malformed(
                fmt::format("first handshake message has type {}, not ClientHello", handshake[0]));
        }
        if (handshake.size() >= handshake_header_size) {
            const std::size_t body_length =
                (std::size_t{handshake[1]} << 16) | (std::size_t{handshake[2]} << 8) | handshake[3];
            if (body_length + handshake_header_size > max_hello_bytes) {
                return malformed(fmt::format("ClientHello of {} bytes exceeds the limit of {}",
                                             body_length + handshake_header_size, max_hello_bytes));
            }
            if (handshake.size() >= handshake_header_size + body_length && record_complete) {
                ClientHelloResult result;
                result.info.record_version = static_cast<std::uint16_t>((bytes[1] << 8) | bytes[2]);
                result.info.record_bytes = offset + record_header_size + length;
                auto body = handshake.subspan(handshake_header_size, body_length);
                if (auto error = parse_body(body, result.info); !error.empty()) {
                    return malformed(std::move(error));
                }
                result.status = ClientHelloStatus::complete;
                return result;
            }
        }
        if (!record_complete) return {};
        offset += record_header_size + length;
    }
}

}  // namespace minewall::sniff
