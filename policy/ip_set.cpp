#include "policy/ip_set.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <cstring>

namespace minewall::policy {

std::optional<IpBytes> parse_ip_literal(std::string_view text) {
    if (text.size() > 2 && text.front() == '[' && text.back() == ']')
        text = text.substr(1, text.size() - 2);
    if (text.empty() || text.size() >= INET6_ADDRSTRLEN) return std::nullopt;
    char buf[INET6_ADDRSTRLEN];
    std::memcpy(buf, text.data(), text.size());
    buf[text.size()] = '\0';
    IpBytes out{};
    if (text.find(':') == std::string_view::npos) {
        in_addr v4{};
        if (inet_pton(AF_INET, buf, &v4) != 1) return std::nullopt;
        out[10] = 0xff;
        out[11] = 0xff;
        std::memcpy(out.data() + 12, &v4, 4);
        return out;
    }
    in6_addr v6{};
    if (inet_pton(AF_INET6, buf, &v6) != 1) return std::nullopt;
    std::memcpy(out.data(), &v6, 16);
    return out;
}

std::optional<IpNetwork> parse_ip_network(std::string_view text, std::string* why) {
    auto fail = [&](const char* reason) -> std::optional<IpNetwork> {
        if (why) *why = reason;
        return std::nullopt;
    };
    auto slash = text.find('/');
    auto address = parse_ip_literal(text.substr(0, slash));
    if (!address) return fail("not an IPv4 or IPv6 address");
    bool v4 = text.substr(0, slash).find(':') == std::string_view::npos;
    unsigned bits = v4 ? 32 : 128;
    if (slash != std::string_view::npos) {
        auto len = text.substr(slash + 1);
        unsigned value = 0;
        auto [ptr, ec] = std::from_chars(len.data(), len.data() + len.size(), value);
        if (len.empty() || ec != std::errc{} || ptr != len.data() + len.size())
            return fail("prefix length is not a number");
        if (value > bits) return fail("prefix length too long for the address family");
        bits = value;
    }
    IpNetwork net;
    net.prefix_bits = v4 ? 96 + bits : bits;
    net.address = *address;
    // Mask the host bits so "10.1.2.3/8" means 10.0.0.0/8.
    for (unsigned i = 0; i < 16; ++i) {
        unsigned keep = net.prefix_bits > i * 8 ? std::min(8u, net.prefix_bits - i * 8) : 0;
        net.address[i] &= static_cast<std::uint8_t>(keep == 0 ? 0 : (0xff << (8 - keep)) & 0xff);
    }
    return net;
}

bool network_contains(const IpNetwork& network, const IpBytes& address) {
    for (unsigned i = 0; i < 16; ++i) {
        unsigned keep = network.prefix_bits > i * 8 ? std::min(8u, network.prefix_bits - i * 8) : 0;
        auto mask = static_cast<std::uint8_t>(keep == 0 ? 0 : (0xff << (8 - keep)) & 0xff);
        if ((address[i] & mask) != network.address[i]) return false;
    }
    return true;
}

IpBytes IpSet::masked(const IpBytes& address, unsigned prefix_bits) {
    IpBytes out = address;
    for (unsigned i = 0; i < 16; ++i) {
        unsigned keep = prefix_bits > i * 8 ? std::min(8u, prefix_bits - i * 8) : 0;
        out[i] &= static_cast<std::uint8_t>(keep == 0 ? 0 : (0xff << (8 - keep)) & 0xff);
    }
    return out;
}

std::size_t IpSet::Hash::operator()(const IpBytes& b) const {
    std::uint64_t hi = 0, lo = 0;
    std::memcpy(&hi, b.data(), 8);
    std::memcpy(&lo, b.data() + 8, 8);
    return std::hash<std::uint64_t>{}(hi * 0x9E3779B97F4A7C15ULL ^ lo);
}

void IpSet::add(const IpNetwork& network, std::uint32_t value) {
    auto it = std::find_if(buckets_.begin(), buckets_.end(),
                           [&](const Bucket& b) { return b.prefix_bits == network.prefix_bits; });
    if (it == buckets_.end()) {
        buckets_.push_back(Bucket{network.prefix_bits, {}});
        std::sort(buckets_.begin(), buckets_.end(),
                  [](const Bucket& a, const Bucket& b) { return a.prefix_bits > b.prefix_bits; });
        it = std::find_if(buckets_.begin(), buckets_.end(),
                          [&](const Bucket& b) { return b.prefix_bits == network.prefix_bits; });
    }
    auto& values = it->networks[network.address];
    if (std::find(values.begin(), values.end(), value) == values.end()) values.push_back(value);
}

std::size_t IpSet::size() const {
    std::size_t n = 0;
    for (const auto& b : buckets_)
        n += b.networks.size();
    return n;
}

}  // namespace minewall::policy
