#include "proxy/tunnel/connect_handler.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstring>

#include "policy/snapshot.hpp"
#include "proxy/forward/upstream_connector.hpp"
#include "proxy/http/block_page.hpp"
#include "proxy/http/client_response.hpp"
#include "proxy/http/request_target.hpp"
#include "proxy/listen/worker.hpp"
#include "proxy/ops/proxy_state.hpp"
#include "proxy/session/transaction_scope.hpp"
#include "proxy/tunnel/tls_bump.hpp"
#include "proxy/tunnel/tls_interception.hpp"
#include "proxy/tunnel/tunnel_inspection.hpp"
#include "proxy/tunnel/tunnel_relay.hpp"

namespace minewall::proxy {

namespace {

// CONNECT to a blocked host with interception on: "200", then, if the client starts TLS, a
// bumped connection whose every request gets the block page (the policy blocks each one).
awaitable<void> serve_block_page_in_tls(ClientConnection& client, TlsInterception& tls,
                                        const Authority& authority, const policy::Snapshot& policy,
                                        const policy::RequestFacts& facts, weblog::WebRecord& rec) {
    static constexpr std::string_view established = "HTTP/1.1 200 Connection established\r\n\r\n";
    client.stream->transport().expires_after(client.config->client.header_timeout);
    auto [ec, n] = co_await asio::async_write(*client.stream, asio::buffer(established), use_tuple);
    if (ec) co_return;
    rec.status = 403;  // what the client is going to see
    rec.response_version = "1.1";
    auto inspection =
        co_await inspect_tunnel_start(client, policy, facts, TunnelStart::tls_or_other);
    rec.sni = inspection.sni;
    if (!inspection.client_hello) co_return;  // not TLS: nothing to show, just close
    // Named, not temporaries: g++ 12 mishandles those in co_await expressions.
    const std::string name = bump_name(authority.host, inspection.sni);
    BumpOrigin blocked{std::nullopt, true};
    co_await bump_tunnel(client, tls, authority, name, inspection.sni, std::move(blocked), rec);
}

}  // namespace

bool connect_port_allowed(std::uint16_t port, const std::vector<std::uint16_t>& allowed) {
    return std::find(allowed.begin(), allowed.end(), port) != allowed.end();
}

awaitable<void> handle_connect(ClientConnection& client, RequestParser& parser,
                               std::size_t head_bytes) {
    ProxyState& state = client.worker.state();
    const config::Config& cfg = *client.config;
    auto& req = parser.get();
    TransactionScope txn(client, state);
    auto& rec = txn.record();
    ++state.counters().connect_requests;
    rec.protocol = "HTTP_PROXY";
    rec.method = "CONNECT";
    rec.request_version = http_version_text(req.version());
    rec.url = std::string(req.target());
    rec.request_header_bytes = head_bytes;
    rec.user_agent = std::string(req[http::field::user_agent]);
    const std::string accept(req[http::field::accept]);
    const unsigned version = req.version() == 10 ? 10 : 11;
    ResponseOptions refuse{version, false, false};

    auto authority = parse_authority(req.target());
    if (!authority) {
        ++state.counters().bad_requests;
        auto page8 =
            prepare_error(rec,
                          ErrorDetails{400, "Bad Request", "", "CONNECT needs a host:port target",
                                       txn.transaction_id()},
                          accept);
        co_await send_generated_response(client, page8, refuse, rec);
        co_return;
    }
    rec.host = authority->host;
    rec.port = authority->port;
    rec.url = authority->to_string();
    if (!connect_port_allowed(authority->port, cfg.connect_ports)) {
        ++state.counters().connect_refused_port;
        rec.blocked = true;
        rec.reason = "Not allowed port";
        auto page9 =
            prepare_error(rec,
                          ErrorDetails{403, "Forbidden", rec.host,
                                       "CONNECT to port " + std::to_string(authority->port) +
                                           " is not allowed by this proxy",
                                       txn.transaction_id()},
                          accept);
        co_await send_generated_response(client, page9, refuse, rec);
        co_return;
    }

    // The policy's verdict on the destination, before any connection is made.
    const auto policy = state.policy();
    auto facts = facts_from_record(policy::Stage::Connect, rec, rec.url);
    if (policy) {
        auto verdict = policy->decide(facts);
        apply_verdict(verdict, rec);
        if (verdict.blocks()) {
            spdlog::info("[{}] blocked CONNECT {}: {} ({})", client.id, rec.url,
                         verdict.threat_name, verdict.evidence);
            if (TlsInterception* tls = state.tls()) {
                // Interception on: a browser gets the block page inside TLS (a refused
                // CONNECT only shows a generic connection error). No origin is contacted.
                co_await serve_block_page_in_tls(client, *tls, *authority, *policy, facts, rec);
                co_return;
            }
            auto page = render_block_response(
                verdict, BlockDetails{rec.url, txn.transaction_id(), rec.start_time}, accept);
            co_await send_generated_response(client, page, refuse, rec);
            co_return;
        }
    }

    // With interception on, most tunnels are bumped and ride an idle verified TLS connection
    // from the worker's pool: then no TCP connection is opened before the 200 (it would be
    // closed unused). A spliced tunnel, or a bump that finds the pool empty by then, connects
    // after the 200; only then an unreachable origin is a closed tunnel or a 502 inside TLS
    // instead of a 502 to the CONNECT, and the pool just showed the origin was reachable.
    TlsInterception* tls = policy ? state.tls() : nullptr;
    std::optional<UpstreamConnection> upstream;
    const UpstreamConnection* pooled =
        tls ? client.worker.pool().peek(bump_pool_key(authority->host, *authority,
                                                      upstream_verified(cfg.tls, authority->host)))
            : nullptr;
    if (pooled) {
        rec.server_ip = pooled->server_ip;
    } else {
        auto connected = co_await connect_upstream(*authority, cfg.upstream.connect_timeout, state);
        if (!connected.connection) {
            spdlog::info("[{}] CONNECT {}: {}", client.id, rec.url, connected.detail);
            auto page10 = prepare_error(
                rec,
                ErrorDetails{connected.status(), upstream_error_title(connected.status()), rec.host,
                             connected.detail, txn.transaction_id()},
                accept);
            co_await send_generated_response(client, page10, refuse, rec);
            co_return;
        }
        upstream = std::move(connected.connection);
        rec.server_ip = upstream->server_ip;
    }

    static constexpr std::string_view established = "HTTP/1.1 200 Connection established\r\n\r\n";
    client.stream->transport().expires_after(cfg.client.header_timeout);
    auto [wec, n] =
        co_await asio::async_write(*client.stream, asio::buffer(established), use_tuple);
    if (wec) {
        rec.error = "client went away: " + wec.message();
        co_return;
    }
    rec.status = 200;
    rec.response_version = "1.1";
    rec.response_header_bytes = n;

    auto started = std::chrono::steady_clock::now();
    if (policy) {
        auto inspection =
            co_await inspect_tunnel_start(client, *policy, facts, TunnelStart::tls_or_other);
        rec.sni = inspection.sni;
        rec.protocol = inspection.protocol;  // SSL (spliced TLS) or TUNNEL
        if (inspection.verdict && !inspection.verdict->threat_name.empty()) {
            apply_verdict(*inspection.verdict, rec);
            if (inspection.verdict->blocks()) {
                // Nothing has reached the origin yet: cut the tunnel before relaying a byte.
                spdlog::info("[{}] blocked tunnel {} ({}): {} ({})", client.id, rec.url,
                             inspection.protocol, inspection.verdict->threat_name,
                             inspection.verdict->evidence);
                rec.request_body_bytes = client.buffer.size();
                co_return;
            }
        }
        const bool bypass =
            inspection.verdict && inspection.verdict->action == policy::Action::BypassInspection;
        const std::string leaf_name = bump_name(rec.host, inspection.sni);
        bool bump = tls && inspection.client_hello && !bypass;
        if (bump) {
            auto splice = tls->splice_decision(cfg.tls, rec.host, inspection.sni, leaf_name);
            if (splice == TlsInterception::Splice::PinnedRelief)
                spdlog::info(
                    "[{}] {} spliced: its clients rejected minewall's certificate "
                    "(pinned-app relief)",
                    client.id, leaf_name);
            bump = splice == TlsInterception::Splice::No;
        }
        if (bump) {
            rec.protocol = "HTTP_PROXY";  // the requests inside get their own HTTPS records
            BumpOrigin origin{std::move(upstream), false};  // named, see serve_block_page_in_tls
            co_await bump_tunnel(client, *tls, *authority, leaf_name, inspection.sni,
                                 std::move(origin), rec);
            co_return;
        }
    }
    if (!upstream) {  // counted on a pooled TLS connection, but the tunnel is spliced
        auto connected = co_await connect_upstream(*authority, cfg.upstream.connect_timeout, state);
        if (!connected.connection) {
            spdlog::info("[{}] CONNECT {}: {}", client.id, rec.url, connected.detail);
            rec.error = connected.detail;
            co_return;
        }
        upstream = std::move(connected.connection);
        rec.server_ip = upstream->server_ip;
    }
    auto& upstream_stream = *upstream->stream;
    // Bytes the client sent right behind the CONNECT head belong to the tunnel.
    std::uint64_t early_bytes = client.buffer.size();
    if (early_bytes > 0) {
        upstream_stream.transport().expires_after(cfg.tunnel.idle_timeout);
        auto [ec, m] = co_await asio::async_write(upstream_stream, client.buffer.data(), use_tuple);
        client.buffer.consume(m);
        if (ec) {
            rec.error = "origin went away: " + ec.message();
            co_return;
        }
    }
    client.stream->transport().expires_never();
    upstream_stream.transport().expires_never();
    auto stats =
        co_await relay_tunnel(client.stream->transport().socket(),
                              upstream_stream.transport().socket(), cfg.tunnel.idle_timeout);
    rec.request_body_bytes = stats.client_to_server + early_bytes;
    rec.response_body_bytes = stats.server_to_client;
    rec.server_transaction_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                    std::chrono::steady_clock::now() - started)
                                    .count();
    if (stats.idle_timeout) rec.error = "tunnel idle timeout";
    if (!stats.error.empty()) rec.error = stats.error;
}

}  // namespace minewall::proxy
