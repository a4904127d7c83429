#pragma once
// Destination IP matching for IP-literal hosts: exact addresses and CIDR networks, IPv4 and IPv6.
// One hash look-up per distinct prefix length present in the set (typically one or two).
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace minewall::policy {

// IPv4 is held as IPv4-mapped IPv6 (::ffff:a.b.c.d) so one table serves both families.
using IpBytes = std::array<std::uint8_t, 16>;

// "1.2.3.4", "::1", "[2001:db8::1]" -> bytes; nullopt when not an IP literal.
std::optional<IpBytes> parse_ip_literal(std::string_view text);

struct IpNetwork {
    IpBytes address{};           // already masked to prefix_bits
    unsigned prefix_bits = 128;  // over the 128-bit mapped form (an IPv4 /24 is 96+24)
};

// "10.0.0.0/8", "2001:db8::/32" or a bare address; nullopt (with *why set) when invalid.
std::optional<IpNetwork> parse_ip_network(std::string_view text, std::string* why = nullptr);

bool network_contains(const IpNetwork& network, const IpBytes& address);

class IpSet {
  public:
    void add(const IpNetwork& network, std::uint32_t value);

    template <class Visit>
    void match(const IpBytes& address, Visit&& visit) const {
        for (const auto& bucket : buckets_) {
            auto it = bucket.networks.find(masked(address, bucket.prefix_bits));
            if (it != bucket.networks.end())
                for (auto v : it->second)
                    visit(v, bucket.prefix_bits);
        }
    }

    std::size_t size() const;

  private:
    static IpBytes masked(const IpBytes& address, unsigned prefix_bits);
    struct Hash {
        std::size_t operator()(const IpBytes& b) const;
    };
    struct Bucket {
        unsigned prefix_bits = 0;
        std::unordered_map<IpBytes, std::vector<std::uint32_t>, Hash> networks;
    };
    std::vector<Bucket> buckets_;  // longest prefix first
};

}  // namespace minewall::policy
