#pragma once
// An IPv4 or IPv6 network in CIDR notation, and membership tests on textual addresses.
// IPv4 addresses are stored as IPv4-mapped IPv6 so one comparison serves both families.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace minewall::config {

using Ip6Bytes = std::array<std::uint8_t, 16>;

// Parses "1.2.3.4" or "::1" (IPv4 becomes ::ffff:1.2.3.4). nullopt when not an address.
std::optional<Ip6Bytes> parse_ip(std::string_view text);

class Cidr {
  public:
    // "10.0.0.0/8", "::1/128", or a bare address (a /32 or /128).
    static std::optional<Cidr> parse(std::string_view text);

    bool contains(const Ip6Bytes& address) const;
    bool contains(std::string_view address) const;
    std::string to_string() const { return text_; }

  private:
    Ip6Bytes network_{};
    unsigned prefix_bits_ = 0;  // over the 128-bit (mapped) form
    std::string text_;
};

bool any_contains(const std::vector<Cidr>& networks, std::string_view address);

}  // namespace minewall::config
