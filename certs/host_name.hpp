#pragma once
// The name a minted certificate is issued for: a DNS name or an IP literal, normalized so that
// equivalent spellings ("Example.COM.", "[::0001]") share one cache entry and one certificate.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace minewall::certs {

enum class HostKind { dns, ipv4, ipv6 };

struct CertHost {
    std::string name;  // lower-case DNS name without trailing dot, or canonical IP text
    HostKind kind = HostKind::dns;
    std::array<std::uint8_t, 16> ip{};  // network order; 4 or 16 bytes used
    std::size_t ip_length = 0;
};

struct CertHostResult {
    std::optional<CertHost> host;
    std::string error;
};

// Accepts "example.com", "EXAMPLE.com.", "192.0.2.1", "::1", "[::1]". Rejects empty names,
// names over 253 bytes, labels over 63 bytes or empty, and bytes outside [A-Za-z0-9-_].
CertHostResult normalize_cert_host(std::string_view host);

}  // namespace minewall::certs
