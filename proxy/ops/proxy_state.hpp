#pragma once
// State shared by every worker thread: the current configuration snapshot, counters, the
// transaction sink and the shutdown flag. Everything here is thread-safe.
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "identity/identity_sources.hpp"
#include "identity/strike_counter.hpp"
#include "policy/policy_store.hpp"
#include "proxy/forward/dns_cache.hpp"
#include "proxy/session/transaction_sink.hpp"

namespace minewall::proxy {

class TlsInterception;

// One counter per outcome, declared once.
struct ProxyCounters {
    std::atomic<std::uint64_t> connections_accepted{0};
    std::atomic<std::uint64_t> connections_refused_client_acl{0};
    std::atomic<std::uint64_t> connections_refused_limit{0};
    std::atomic<std::uint64_t> http_requests{0};
    std::atomic<std::uint64_t> connect_requests{0};
    std::atomic<std::uint64_t> connect_refused_port{0};
    std::atomic<std::uint64_t> bad_requests{0};
    std::atomic<std::uint64_t> loops_refused{0};
    std::atomic<std::uint64_t> upstream_dns_failures{0};
    std::atomic<std::uint64_t> upstream_connect_failures{0};
    std::atomic<std::uint64_t> upstream_timeouts{0};
    std::atomic<std::uint64_t> upstream_reused{0};
    std::atomic<std::uint64_t> upstream_opened{0};
    std::atomic<std::uint64_t> failed_logins{0};
    std::atomic<std::uint64_t> logins_refused_lockout{0};
    std::atomic<std::uint64_t> heap_releases{0};        // free heap memory handed back to the OS
    std::atomic<std::uint64_t> heap_released_bytes{0};  // resident size those releases dropped
};

// A listening endpoint as bound (after port 0 was resolved), for loop detection.
struct BoundEndpoint {
    std::string address;
    std::uint16_t port = 0;
};

class ProxyState {
  public:
    ProxyState(std::shared_ptr<const config::Config> config, TransactionSink& sink);

    std::shared_ptr<const config::Config> config() const { return config_.load(); }
    void replace_config(std::shared_ptr<const config::Config> config) {
        config_.store(std::move(config));
    }

    TransactionSink& sink() { return sink_; }

    // TLS interception (owned by main); null when tls.intercept is off.
    void set_tls(TlsInterception* tls) { tls_ = tls; }
    TlsInterception* tls() const { return tls_; }

    std::shared_ptr<const identity::IdentitySources> identity() const { return identity_.load(); }
    void replace_identity(std::shared_ptr<const identity::IdentitySources> sources) {
        identity_.store(std::move(sources));
    }

    // The policy store is owned by main and outlives the workers.
    void set_policy_store(policy::PolicyStore* store) { policy_store_ = store; }
    // The current policy snapshot (one atomic load); transactions keep the one they started with.
    std::shared_ptr<const policy::Snapshot> policy() const {
        return policy_store_ ? policy_store_->snapshot() : nullptr;
    }
    ProxyCounters& counters() { return counters_; }
    // Failed proxy logins per client address (kept across reloads).
    identity::StrikeCounter& failed_logins() { return failed_logins_; }
    DnsCache& dns_cache() { return dns_cache_; }

    const std::string& instance_id() const { return instance_id_; }
    // The name in our Via entries; seeing it on an incoming request means a loop.
    const std::string& via_pseudonym() const { return via_pseudonym_; }
    std::uint64_t next_record_id() { return next_record_id_.fetch_add(1); }

    std::atomic<bool> draining{false};
    std::atomic<std::size_t> active_connections{0};

    void set_bound_endpoints(std::vector<BoundEndpoint> endpoints) {
        bound_endpoints_ = std::move(endpoints);
    }
    // True when address:port is one of our own listeners (an unspecified listener address
    // matches any local address on that port).
    bool is_own_endpoint(const std::string& address, std::uint16_t port) const;

  private:
    std::atomic<std::shared_ptr<const config::Config>> config_;
    TransactionSink& sink_;
    policy::PolicyStore* policy_store_ = nullptr;
    TlsInterception* tls_ = nullptr;
    std::atomic<std::shared_ptr<const identity::IdentitySources>> identity_{
        std::make_shared<const identity::IdentitySources>()};
    ProxyCounters counters_;
    identity::StrikeCounter failed_logins_;
    DnsCache dns_cache_;
    std::string instance_id_;
    std::string via_pseudonym_;
    std::atomic<std::uint64_t> next_record_id_{1};
    std::vector<BoundEndpoint> bound_endpoints_;  // written before workers start
};

}  // namespace minewall::proxy
