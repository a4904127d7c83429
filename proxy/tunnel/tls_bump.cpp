#include "proxy/tunnel/tls_bump.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <spdlog/spdlog.h>

#include "certs/host_name.hpp"
#include "certs/upstream_tls.hpp"
#include "policy/snapshot.hpp"
#include "proxy/forward/upstream_source.hpp"
#include "proxy/http/block_page.hpp"
#include "proxy/listen/worker.hpp"
#include "proxy/net/tls_byte_stream.hpp"
#include "proxy/ops/proxy_state.hpp"
#include "proxy/session/client_session.hpp"
#include "proxy/session/transaction_scope.hpp"
#include "proxy/tunnel/tls_interception.hpp"
#include "proxy/tunnel/tunnel_inspection.hpp"

namespace minewall::proxy {

namespace {

struct TlsUpstream {
    std::optional<UpstreamConnection> connection;
    std::string error;  // why there is none: verification failure, handshake error
};

// Wraps an origin TCP connection in TLS for `name` (SNI; the certificate checked unless
// `verify` is false).
awaitable<TlsUpstream> open_tls_upstream(UpstreamConnection tcp, TlsInterception& tls,
                                         const std::string& name, bool verify,
                                         std::chrono::milliseconds timeout) {
    TlsUpstream result;
    std::string error;
    SSL* ssl = tls.new_upstream_ssl(name, verify, error);
    if (!ssl) {
        result.error = error;
        co_return result;
    }
    auto stream = std::make_unique<TlsByteStream>(std::move(tcp.stream->transport()), ssl);
    stream->transport().expires_after(timeout);
    auto ec = co_await stream->handshake_as_client();
    stream->transport().expires_never();
    if (ec) {
        auto failure = certs::upstream_verify_failure(stream->native());
        result.error = failure.problem != certs::VerifyProblem::none
                           ? "the origin's certificate was not accepted: " + failure.reason
                           : "TLS handshake with the origin failed: " + ec.message();
        co_return result;
    }
    result.connection.emplace(UpstreamConnection{std::move(stream), {}, tcp.server_ip, false});
    co_return result;
}

// OpenSSL's version name ("TLSv1.3") as NSS logs write it ("TLS1_3").
std::string nss_tls_version(SSL* ssl) {
    switch (SSL_version(ssl)) {
        case TLS1_3_VERSION:
            return "TLS1_3";
        case TLS1_2_VERSION:
            return "TLS1_2";
        case TLS1_1_VERSION:
            return "TLS1_1";
        case TLS1_VERSION:
            return "TLS1_0";
        case SSL3_VERSION:
            return "SSL3";
        default:
            return SSL_get_version(ssl);
    }
}

// The protocol agreed in the handshake ("http/1.1"), empty when the client offered none.
std::string negotiated_alpn(SSL* ssl) {
    const unsigned char* data = nullptr;
    unsigned int length = 0;
    SSL_get0_alpn_selected(ssl, &data, &length);
    return data ? std::string(reinterpret_cast<const char*>(data), length) : std::string();
}

// The origin side of a bumped tunnel: a verified TLS connection to `name`, taken from the
// worker's pool or opened (and verified) on demand; given back to the pool when the tunnel ends.
class TlsTunnelUpstreamSource final : public UpstreamSource {
  public:
    // config: the client connection's (the one its CONNECT was decided with), so the pool key
    // and the certificate checks agree with handle_connect's.
    TlsTunnelUpstreamSource(Worker& worker, TlsInterception& tls, std::string name,
                            const Authority& origin, const config::Config& config)
        : worker_(worker),
          state_(worker.state()),
          tls_(tls),
          origin_(origin),
          name_(std::move(name)),
          verify_(upstream_verified(config.tls, name_)),
          pool_key_(bump_pool_key(name_, origin, verify_)) {}

    ~TlsTunnelUpstreamSource() override {
        if (!held_ || state_.draining) return;
        auto config = state_.config();
        worker_.pool().give_back(pool_key_, std::move(*held_), config->upstream.pool_idle_timeout,
                                 config->upstream.pool_max_idle_per_host);
    }
    TlsTunnelUpstreamSource(const TlsTunnelUpstreamSource&) = delete;
    TlsTunnelUpstreamSource& operator=(const TlsTunnelUpstreamSource&) = delete;

    // Before the client sees our certificate, the origin's must have passed: a pooled
    // connection (verified when opened; a TCP connection handle_connect opened is then dropped)
    // or a TCP connection (given or opened here) wrapped in verified TLS. Returns the failure
    // (shown as a 502 inside TLS), empty when the origin is ready.
    awaitable<std::string> open_first(BumpOrigin origin, weblog::WebRecord& connect_record) {
        if (origin.blocked) {
            failure_ = "blocked by policy";
            co_return failure_;
        }
        if (auto pooled = take_pooled()) {
            held_.emplace(std::move(*pooled));
            co_return failure_;
        }
        const auto timeout = state_.config()->upstream.connect_timeout;
        if (!origin.tcp) {  // handle_connect counted on a pooled connection that is gone now
            auto connected = co_await connect_upstream(origin_, timeout, state_);
            if (!connected.connection) {
                failure_kind_ = connected.failure;
                failure_ = connected.detail;
                co_return failure_;
            }
            origin.tcp = std::move(connected.connection);
            connect_record.server_ip = origin.tcp->server_ip;
        }
        auto opened =
            co_await open_tls_upstream(std::move(*origin.tcp), tls_, name_, verify_, timeout);
        if (opened.connection)
            held_.emplace(std::move(*opened.connection));
        else
            failure_ = opened.error;
        co_return failure_;
    }

    // The origin's TLS version as NSS writes it; empty without a connection.
    std::string server_tls_version() {
        return held_ ? nss_tls_version(static_cast<TlsByteStream&>(*held_->stream).native())
                     : std::string();
    }

    awaitable<UpstreamConnectResult> acquire(const Authority& target) override {
        UpstreamConnectResult result;
        if (!failure_.empty()) {
            result.failure = failure_kind_;
            result.detail = failure_;
            co_return result;
        }
        if (held_) {
            result.connection.emplace(std::move(*held_));
            result.connection->reused = true;
            held_.reset();
            co_return result;
        }
        if (auto pooled = take_pooled()) {
            result.connection.emplace(std::move(*pooled));
            co_return result;
        }
        auto cfg = state_.config();
        auto tcp = co_await connect_upstream(target, cfg->upstream.connect_timeout, state_);
        if (!tcp.connection) co_return tcp;
        auto opened = co_await open_tls_upstream(std::move(*tcp.connection), tls_, name_, verify_,
                                                 cfg->upstream.connect_timeout);
        if (!opened.connection) {
            result.failure = UpstreamFailure::Tls;
            result.detail = opened.error;
            co_return result;
        }
        result.connection.emplace(std::move(*opened.connection));
        co_return result;
    }

    void release(const Authority&, UpstreamConnection connection) override {
        held_.emplace(std::move(connection));
    }

  private:
    std::optional<UpstreamConnection> take_pooled() {
        auto pooled = worker_.pool().take(pool_key_);
        if (pooled) ++state_.counters().upstream_reused;
        return pooled;
    }

    Worker& worker_;
    ProxyState& state_;
    TlsInterception& tls_;
    Authority origin_;
    std::string name_;
    bool verify_;  // false for a tls.verify_exceptions origin (as configured when this began)
    std::string pool_key_;
    std::optional<UpstreamConnection> held_;
    UpstreamFailure failure_kind_ = UpstreamFailure::Tls;
    std::string failure_;
};

}  // namespace

// Idle verified origin TLS connections outlive the client connection that opened them: the
// next bumped connection to the same origin (same SNI name, same host:port) takes one from the
// worker's pool instead of a new handshake and certificate check.
std::string bump_pool_key(const std::string& name, const Authority& origin, bool verified) {
    return (verified ? "tls " : "tls-unverified ") + name + " " + origin.to_string();
}

std::string bump_name(const std::string& connect_host, const std::string& sni) {
    if (sni.empty() || !certs::normalize_cert_host(sni).host) return connect_host;
    return sni;
}

awaitable<void> bump_tunnel(ClientConnection& client, TlsInterception& tls,
                            const Authority& authority, const std::string& name,
                            const std::string& sni, BumpOrigin origin,
                            weblog::WebRecord& connect_record) {
    ProxyState& state = client.worker.state();
    const auto& cfg = *client.config;
    if (!sni.empty() && name != sni)
        spdlog::info("[{}] SNI '{}' is not a host name: using the CONNECT host {}", client.id, sni,
                     name);

    // The origin first: its certificate problems must be known before the client sees ours.
    const bool blocked = origin.blocked;
    TlsTunnelUpstreamSource source(client.worker, tls, name, authority, *client.config);
    auto upstream_failure = co_await source.open_first(std::move(origin), connect_record);
    if (!upstream_failure.empty() && !blocked)
        spdlog::warn("[{}] {}: {}", client.id, name, upstream_failure);
    client.server_tls_version = source.server_tls_version();

    auto leaf = tls.leaf_for(name);
    if (!leaf.leaf) {
        connect_record.error = "no certificate for " + name + ": " + leaf.error;
        co_return;
    }
    SSL* server_ssl = leaf.leaf->new_server_ssl();
    if (!server_ssl) {
        connect_record.error = "cannot create the TLS server for " + name;
        co_return;
    }
    auto bumped =
        std::make_unique<TlsByteStream>(std::move(client.stream->transport()), server_ssl);
    bumped->transport().expires_after(cfg.client.header_timeout);
    auto hello = client.buffer.data();
    auto ec = co_await bumped->handshake_as_server(asio::buffer(hello.data(), hello.size()));
    client.buffer.consume(client.buffer.size());
    bumped->transport().expires_never();
    client.client_tls_version = nss_tls_version(bumped->native());
    client.alpn = negotiated_alpn(bumped->native());
    client.tls_sni = sni;
    client.stream = std::move(bumped);
    record_tls_session(client, connect_record);
    if (ec) {
        // Typically the client does not trust minewall's CA (unknown_ca alert), or pins.
        connect_record.error = "client TLS handshake failed: " + ec.message();
        spdlog::info("[{}] TLS handshake with the client for {} failed: {}", client.id, name,
                     ec.message());
        if (ec.category() == asio::error::get_ssl_category() &&
            is_certificate_rejection(ERR_GET_REASON(static_cast<unsigned long>(ec.value()))) &&
            tls.pinned_relief().record_rejection(name, cfg.tls.pinned_relief)) {
            spdlog::warn(
                "pinned-app relief: clients rejected the certificate for {} {} times "
                "within {} s; {} is spliced for {} s",
                name, cfg.tls.pinned_relief.failures, cfg.tls.pinned_relief.window.count() / 1000,
                name, cfg.tls.pinned_relief.splice_ttl.count() / 1000);
        }
        co_return;
    }

    // What the client says first: HTTP goes to the HTTP pipeline; anything else (stratum to a
    // pool's port 443) is a tunnel, checked like a spliced one and never parsed as HTTP.
    if (auto policy = state.policy()) {
        auto facts = facts_from_record(policy::Stage::Tunnel, connect_record, connect_record.url);
        facts.sni = sni;
        auto inspection =
            co_await inspect_tunnel_start(client, *policy, facts, TunnelStart::decrypted);
        if (!inspection.http && inspection.verdict && !inspection.verdict->threat_name.empty()) {
            apply_verdict(*inspection.verdict, connect_record);
            if (inspection.verdict->blocks()) {
                spdlog::info("[{}] blocked decrypted tunnel {}: {} ({})", client.id,
                             connect_record.url, inspection.verdict->threat_name,
                             inspection.verdict->evidence);
                connect_record.request_body_bytes = client.buffer.size();
                co_return;
            }
        }
    }
    co_await serve_requests(client, source, &authority);
}

}  // namespace minewall::proxy
