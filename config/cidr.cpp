#include "config/cidr.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <cstring>

namespace minewall::config {

std::optional<Ip6Bytes> parse_ip(std::string_view text) {
    // inet_pton needs a NUL-terminated string; addresses are short.
    if (text.empty() || text.size() >= INET6_ADDRSTRLEN) return std::nullopt;
    char buf[INET6_ADDRSTRLEN] = {};
    std::memcpy(buf, text.data(), text.size());
    Ip6Bytes out{};
    in_addr v4{};
    if (inet_pton(AF_INET, buf, &v4) == 1) {
        out[10] = 0xff;
        out[11] = 0xff;
        std::memcpy(out.data() + 12, &v4, 4);
        return out;
    }
    in6_addr v6{};
    if (inet_pton(AF_INET6, buf, &v6) == 1) {
        std::memcpy(out.data(), &v6, 16);
        return out;
    }
    return std::nullopt;
}

std::optional<Cidr> Cidr::parse(std::string_view text) {
    auto slash = text.find('/');
    auto address_text = text.substr(0, slash);
    auto address = parse_ip(address_text);
    if (!address) return std::nullopt;
    const bool is_v4 = address_text.find(':') == std::string_view::npos;
    unsigned max_bits = is_v4 ? 32 : 128;
    unsigned bits = max_bits;
    if (slash != std::string_view::npos) {
        auto digits = text.substr(slash + 1);
        auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), bits);
        if (ec != std::errc{} || ptr != digits.data() + digits.size() || digits.empty() ||
            bits > max_bits)
            return std::nullopt;
    }
    Cidr cidr;
    cidr.prefix_bits_ = is_v4 ? bits + 96 : bits;
    cidr.network_ = *address;
    // Clear host bits so contains() is a plain prefix comparison.
    for (unsigned i = cidr.prefix_bits_; i < 128; ++i)
        cidr.network_[i / 8] &= static_cast<std::uint8_t>(~(0x80u >> (i % 8)));
    cidr.text_ = std::string(text);
    return cidr;
}

bool Cidr::contains(const Ip6Bytes& address) const {
    unsigned full = prefix_bits_ / 8;
    if (!std::equal(network_.begin(), network_.begin() + full, address.begin())) return false;
    unsigned rest = prefix_bits_ % 8;
    if (rest == 0) return true;
    auto mask = static_cast<std::uint8_t>(0xff00u >> rest);
    return (address[full] & mask) == network_[full];
}

bool Cidr::contains(std::string_view address) const {
    auto parsed = parse_ip(address);
    return parsed && contains(*parsed);
}

bool any_contains(const std::vector<Cidr>& networks, std::string_view address) {
    auto parsed = parse_ip(address);
    if (!parsed) return false;
    return std::any_of(networks.begin(), networks.end(),
                       [&](const Cidr& n) { return n.contains(*parsed); });
}

}  // namespace minewall::config
