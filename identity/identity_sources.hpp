#pragma once
// Where the identity fields of a transaction come from: proxy authentication (users file),
// a client address map, and which forwarding proxies' X-Forwarded-For header to believe.
// Loaded at start-up and on SIGHUP; immutable once loaded.
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"
#include "identity/client_identity_map.hpp"
#include "identity/proxy_credentials.hpp"

namespace minewall::identity {

struct IdentitySources {
    std::shared_ptr<const ProxyCredentials> credentials;  // null: no proxy authentication
    std::shared_ptr<const ClientIdentityMap> map;         // null: no address map
    std::string realm = "minewall";
    std::vector<config::Cidr> trusted_forwarders;
};

struct IdentityLoadResult {
    std::shared_ptr<const IdentitySources> sources;  // null when errors is not empty
    std::vector<std::string> errors;                 // "file:line: message"
};

IdentityLoadResult load_identity_sources(const config::IdentityConfig& config);

// The address a transaction is attributed to: the socket peer, or, when the peer is a trusted
// forwarder, the right-most X-Forwarded-For entry that is not itself a trusted forwarder.
std::string attributed_client_ip(std::string_view peer_ip, std::string_view x_forwarded_for,
                                 const std::vector<config::Cidr>& trusted_forwarders);

}  // namespace minewall::identity
