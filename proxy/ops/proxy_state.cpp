#include "proxy/ops/proxy_state.hpp"

#include <random>

#include "config/cidr.hpp"

namespace minewall::proxy {

namespace {

std::string random_instance_id() {
    std::random_device rd;
    std::uniform_int_distribution<unsigned> dist(0, 15);
    std::string id;
    for (int i = 0; i < 12; ++i)
        id += "0123456789abcdef"[dist(rd)];
    return id;
}

bool is_unspecified(const std::string& address) {
    return address == "0.0.0.0" || address == "::";
}

}  // namespace

ProxyState::ProxyState(std::shared_ptr<const config::Config> config, TransactionSink& sink)
    : config_(std::move(config)),
      sink_(sink),
      instance_id_(random_instance_id()),
      via_pseudonym_("minewall-" + instance_id_) {}

bool ProxyState::is_own_endpoint(const std::string& address, std::uint16_t port) const {
    auto target = config::parse_ip(address);
    if (!target) return false;
    for (const auto& ep : bound_endpoints_) {
        if (ep.port != port) continue;
        if (is_unspecified(ep.address)) {
            // Any address of this machine reaches an unspecified listener; loopback is the
            // common loop, other local addresses are caught by the Via check.
            if (config::Cidr::parse("127.0.0.0/8")->contains(*target) ||
                config::Cidr::parse("::1/128")->contains(*target))
                return true;
        }
        auto own = config::parse_ip(ep.address);
        if (own && *own == *target) return true;
    }
    return false;
}

}  // namespace minewall::proxy
