#include "identity/identity_sources.hpp"

namespace minewall::identity {

IdentityLoadResult load_identity_sources(const config::IdentityConfig& config) {
    IdentityLoadResult result;
    auto sources = std::make_shared<IdentitySources>();
    sources->realm = config.realm;
    sources->trusted_forwarders = config.trusted_forwarders;
    if (!config.users_file.empty()) {
        auto loaded = ProxyCredentials::load_file(config.users_file);
        result.errors.insert(result.errors.end(), loaded.errors.begin(), loaded.errors.end());
        // A users file with bad lines is refused whole: a half-loaded one would lock people out.
        if (loaded.credentials && loaded.credentials->user_count() == 0 && loaded.errors.empty())
            result.errors.push_back(config.users_file + ": no users");
        sources->credentials = loaded.credentials;
    }
    if (!config.map_file.empty()) {
        auto loaded = ClientIdentityMap::load_file(config.map_file);
        result.errors.insert(result.errors.end(), loaded.errors.begin(), loaded.errors.end());
        sources->map = loaded.map;
    }
    if (result.errors.empty()) result.sources = std::move(sources);
    return result;
}

std::string attributed_client_ip(std::string_view peer_ip, std::string_view x_forwarded_for,
                                 const std::vector<config::Cidr>& trusted) {
    if (x_forwarded_for.empty() || !config::any_contains(trusted, peer_ip))
        return std::string(peer_ip);
    // Walk from the right: each trusted hop vouches for the one before it.
    std::string_view rest = x_forwarded_for;
    while (!rest.empty()) {
        auto comma = rest.rfind(',');
        auto entry = comma == std::string_view::npos ? rest : rest.substr(comma + 1);
        rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(0, comma);
        while (!entry.empty() && (entry.front() == ' ' || entry.front() == '\t'))
            entry.remove_prefix(1);
        while (!entry.empty() && (entry.back() == ' ' || entry.back() == '\t'))
            entry.remove_suffix(1);
        if (!config::parse_ip(entry)) break;  // garbage: trust nothing further left
        if (!config::any_contains(trusted, entry)) return std::string(entry);
    }
    return std::string(peer_ip);
}

}  // namespace minewall::identity
