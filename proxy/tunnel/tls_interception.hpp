#pragma once
// What bumping needs, built once at start-up: minewall's CA, the leaf issuer and its cache, the
// client context for verified origin connections and pinned-app relief. The splice and verify
// exception lists are read from the running configuration at each decision, so a SIGHUP
// reload applies them to the next tunnels.
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "certs/leaf_cert_cache.hpp"
#include "config/config.hpp"
#include "proxy/tunnel/pinned_host_relief.hpp"

struct ssl_ctx_st;
struct ssl_st;

namespace minewall::proxy {

// True when host is one of domains or a subdomain of one (case-insensitive).
bool matches_domain_list(std::string_view host, const std::vector<std::string>& domains);

// False for an origin listed in tls.verify_exceptions: its certificate is not checked.
bool upstream_verified(const config::TlsConfig& current, std::string_view host);

class TlsInterception {
  public:
    struct CreateResult {
        std::unique_ptr<TlsInterception> interception;
        std::string ca_cert_path;  // what browsers must trust
        bool ca_created = false;
        std::string error;
    };
    static CreateResult create(const config::TlsConfig& config, const std::string& state_dir);

    // Why a tunnel is spliced rather than bumped, decided before any handshake: a configured
    // domain (or no SNI, when so configured), or pinned-app relief for the leaf's name.
    enum class Splice { No, Configured, PinnedRelief };
    Splice splice_decision(const config::TlsConfig& current, std::string_view connect_host,
                           std::string_view sni, std::string_view leaf_name);
    // A leaf certificate for the name the client asked for (cached, minted once).
    certs::LeafResult leaf_for(std::string_view host) { return cache_->get(host); }
    // A client SSL toward host, its certificate verified unless `verify` is false (see
    // upstream_verified). Caller owns it.
    ssl_st* new_upstream_ssl(std::string_view host, bool verify, std::string& error) const;

    certs::LeafCertCache& cache() { return *cache_; }
    // Hosts whose clients keep rejecting minted leaves (pinned apps), spliced for a while.
    PinnedHostRelief& pinned_relief() { return pinned_relief_; }

  private:
    std::shared_ptr<const certs::LeafIssuer> issuer_;
    std::unique_ptr<certs::LeafCertCache> cache_;
    std::shared_ptr<ssl_ctx_st> upstream_ctx_;
    PinnedHostRelief pinned_relief_;
};

}  // namespace minewall::proxy
