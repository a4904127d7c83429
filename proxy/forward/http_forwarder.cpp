#include "proxy/forward/http_forwarder.hpp"

#include <spdlog/spdlog.h>

#include <array>

#include "policy/content_scanner.hpp"
#include "policy/snapshot.hpp"
#include "proxy/forward/upstream_source.hpp"
#include "proxy/http/block_page.hpp"
#include "proxy/http/body_relay.hpp"
#include "proxy/http/client_response.hpp"
#include "proxy/http/hop_by_hop.hpp"
#include "proxy/http/response_head_size.hpp"
#include "proxy/http/via_header.hpp"
#include "proxy/listen/worker.hpp"
#include "proxy/net/stream_deadline.hpp"
#include "proxy/ops/proxy_state.hpp"
#include "proxy/session/transaction_scope.hpp"
#include "proxy/tunnel/tunnel_inspection.hpp"
#include "proxy/tunnel/tunnel_relay.hpp"
#include "text/ascii_text.hpp"

namespace minewall::proxy {

namespace {

// How much of a POST body is looked at before it is forwarded (mining JSON-RPC is small).
constexpr std::size_t request_scan_bytes = 4096;
// How long to wait for an origin's "100 Continue" before sending the body anyway (curl and
// browsers wait about as long themselves).
constexpr std::chrono::milliseconds expect_continue_wait{1000};

template <class Fields>
void strip_hop_by_hop(Fields& fields) {
    auto options = connection_option_names(fields[http::field::connection]);
    auto proxy_connection = fields.equal_range(http::field::proxy_connection);
    for (auto it = proxy_connection.first; it != proxy_connection.second; ++it) {
        auto more = connection_option_names(it->value());
        options.insert(options.end(), more.begin(), more.end());
    }
    for (auto it = fields.begin(); it != fields.end();) {
        if (is_hop_by_hop_header(it->name_string(), options))
            it = fields.erase(it);
        else
            ++it;
    }
}

using text::iequals;

// Sends a 1xx interim response (other than 101) on to the client.
awaitable<bool> forward_interim(ClientConnection& client, const http::response_header<>& interim) {
    http::response<http::empty_body> res{interim.result(), 11};
    for (const auto& field : interim)
        res.insert(field.name_string(), field.value());
    strip_hop_by_hop(res);
    http::response_serializer<http::empty_body> sr{res};
    client.stream->transport().expires_after(client.config->client.body_idle_timeout);
    auto [ec, n] = co_await http::async_write_header(*client.stream, sr, use_tuple);
    co_return !ec;
}

// Where the request goes: the absolute-form URL of a proxy request, or the tunnel's authority
// and the origin-form path inside a bumped tunnel. An error text when neither fits.
std::optional<AbsoluteTarget> resolve_target(std::string_view target, const ForwardContext& ctx,
                                             std::string& error) {
    if (ctx.tunnel) {
        if (!target.empty() && target.front() == '/')
            return AbsoluteTarget{"https", *ctx.tunnel, std::string(target)};
        auto absolute = parse_absolute_target(target);
        if (absolute && absolute->authority.host == ctx.tunnel->host &&
            absolute->authority.port == ctx.tunnel->port)
            return absolute;
        error = "requests inside a tunnel must address the tunnel's host";
        return std::nullopt;
    }
    auto absolute = parse_absolute_target(target);
    if (!absolute) {
        error = !target.empty() && target.front() == '/'
                    ? "minewall is a forward proxy: send absolute-form requests such as "
                      "GET http://host/path, or CONNECT host:port"
                    : "the request target is not a valid http:// or https:// URL";
        return std::nullopt;
    }
    if (absolute->scheme != "http") {
        error = "https:// URLs are reached through CONNECT, not as plain requests";
        return std::nullopt;
    }
    return absolute;
}

struct PrefixScan {
    bool read_ok = true;
    error_code read_error;
    std::optional<policy::Verdict> verdict;  // set when a detector matched (block or monitor)
};

// Reads the start of the response body into prefix until the scanner decides, the body ends
// or the scan limit is reached.
awaitable<PrefixScan> scan_response_prefix(ByteStream& up, beast::flat_buffer& buffer,
                                           http::response_parser<http::buffer_body>& rp,
                                           const policy::Snapshot& policy, std::string& prefix,
                                           std::chrono::milliseconds timeout,
                                           std::span<char> scratch) {
    PrefixScan scan;
    auto scanner = policy.content_scanner();
    auto detection = policy::Detection{policy::ScanStatus::NeedMore, {}, {}};
    auto& body = rp.get().body();
    std::optional<WideReads> wide;
    while (detection.status == policy::ScanStatus::NeedMore && !rp.is_done()) {
        if (!wide && !prefix.empty()) wide.emplace(buffer);  // more than one read
        body.data = scratch.data();
        body.size = scratch.size();
        up.transport().expires_after(timeout);
        auto [ec, n] = co_await http::async_read_some(up, buffer, rp, use_tuple);
        if (ec == http::error::need_buffer) ec = {};
        if (ec) {
            scan.read_ok = false;
            scan.read_error = ec;
            co_return scan;
        }
        std::string_view chunk(scratch.data(), scratch.size() - body.size);
        prefix.append(chunk);
        detection = scanner.feed(chunk);
    }
    if (detection.status == policy::ScanStatus::NeedMore) detection = scanner.finish();
    if (detection.status == policy::ScanStatus::Match) {
        auto detector = detection.threat_name.find("WASM") != std::string::npos
                            ? policy::Detector::Wasm
                            : policy::Detector::Content;
        scan.verdict = policy.verdict_for(detection, detector);
    }
    co_return scan;
}

// Writes what was read from one side but not consumed to the other, counting it. False when
// the write failed.
awaitable<bool> pass_on_buffered(beast::flat_buffer& from, ByteStream& to, std::uint64_t& count) {
    if (from.size() == 0) co_return true;
    auto [ec, n] = co_await asio::async_write(to, from.data(), use_tuple);
    count += n;
    from.consume(n);
    co_return !ec;
}

// After the origin's "101 Switching Protocols": pass the 101 on, check the client's first
// frames for mining-pool messages, then relay bytes both ways until either side closes.
awaitable<void> relay_websocket(ClientConnection& client, UpstreamConnection& upstream,
                                http::response_header<>& switching, const policy::Snapshot* policy,
                                weblog::WebRecord& rec) {
    const auto& cfg = *client.config;
    const bool tls = client.stream->is_tls();
    rec.protocol = tls ? "WEBSOCKET_SSL" : "WEBSOCKET";
    rec.status = 101;
    rec.response_version = http_version_text(switching.version());
    const std::string upgrade(switching[http::field::upgrade]);
    strip_hop_by_hop(switching);
    switching.set(http::field::upgrade, upgrade);
    switching.set(http::field::connection, "Upgrade");
    http::response<http::empty_body> out{switching.result(), 11};
    for (const auto& field : switching)
        out.insert(field.name_string(), field.value());
    http::response_serializer<http::empty_body> sr{out};
    client.stream->transport().expires_after(cfg.client.body_idle_timeout);
    auto [ec, n] = co_await http::async_write_header(*client.stream, sr, use_tuple);
    rec.response_header_bytes = n;
    if (ec) co_return;

    if (policy) {
        auto facts =
            facts_from_record(policy::Stage::Tunnel, rec, (tls ? "wss://" : "ws://") + rec.url);
        auto inspection =
            co_await inspect_tunnel_start(client, *policy, facts, TunnelStart::websocket_frames);
        if (inspection.verdict && !inspection.verdict->threat_name.empty()) {
            apply_verdict(*inspection.verdict, rec);
            if (inspection.verdict->blocks()) {
                spdlog::info("[{}] blocked WebSocket {}: {} ({})", client.id, rec.url,
                             inspection.verdict->threat_name, inspection.verdict->evidence);
                co_return;  // the pool never sees the client's messages
            }
        }
    }
    // Bytes already read on either side belong to the tunnel.
    if (!co_await pass_on_buffered(client.buffer, *upstream.stream, rec.request_body_bytes) ||
        !co_await pass_on_buffered(upstream.buffer, *client.stream, rec.response_body_bytes))
        co_return;
    client.stream->transport().expires_never();
    upstream.stream->transport().expires_never();
    TunnelStats stats;
    if (tls || upstream.stream->is_tls())
        stats = co_await relay_streams(*client.stream, *upstream.stream, cfg.tunnel.idle_timeout);
    else
        stats =
            co_await relay_tunnel(client.stream->transport().socket(),
                                  upstream.stream->transport().socket(), cfg.tunnel.idle_timeout);
    rec.request_body_bytes += stats.client_to_server;
    rec.response_body_bytes += stats.server_to_client;
    if (!stats.error.empty()) rec.error = stats.error;
}

}  // namespace

awaitable<bool> forward_http_request(ClientConnection& client, RequestParser& parser,
                                     std::size_t head_bytes, const ForwardContext& ctx) {
    ProxyState& state = client.worker.state();
    const config::Config& cfg = *client.config;
    auto& req = parser.get();
    TransactionScope txn(client, state);
    auto& rec = txn.record();
    ++state.counters().http_requests;

    rec.protocol = ctx.tunnel ? "HTTPS" : "HTTP";
    rec.ssl_decrypted = ctx.tunnel != nullptr;
    rec.method = std::string(req.method_string());
    rec.request_header_bytes = head_bytes;
    rec.user_agent = std::string(req[http::field::user_agent]);
    rec.referer = std::string(req[http::field::referer]);
    const std::string accept(req[http::field::accept]);
    const unsigned version = req.version() == 10 ? 10 : 11;
    rec.request_version = http_version_text(req.version());
    const bool is_head = req.method() == http::verb::head;
    const bool request_has_body = !parser.is_done();
    const bool wants_keep_alive = req.keep_alive();
    ResponseOptions error_options{version, false, is_head};

    std::string target_error;
    auto target = resolve_target(req.target(), ctx, target_error);
    if (!target) {
        ++state.counters().bad_requests;
        rec.url = std::string(req.target());
        auto page = prepare_error(
            rec, ErrorDetails{400, "Bad Request", "", target_error, txn.transaction_id()}, accept);
        co_await send_generated_response(client, page, error_options, rec);
        co_return false;
    }
    const std::uint16_t default_port = target->scheme == "https" ? 443 : 80;
    rec.url = target->authority.host_header(default_port) + target->path;
    rec.host = target->authority.host;
    rec.port = target->authority.port;
    if (via_contains_pseudonym(req[http::field::via], state.via_pseudonym())) {
        ++state.counters().loops_refused;
        auto page = prepare_error(
            rec,
            ErrorDetails{508, "Loop Detected", rec.host,
                         "this request has already passed through this minewall instance",
                         txn.transaction_id()},
            accept);
        co_await send_generated_response(client, page, error_options, rec);
        co_return false;
    }

    // The policy's verdict on the request: host, URL and User-Agent.
    const auto policy = state.policy();
    if (policy) {
        auto facts =
            facts_from_record(policy::Stage::Request, rec, target->scheme + "://" + rec.url);
        auto verdict = policy->decide(facts);
        apply_verdict(verdict, rec);
        if (verdict.blocks()) {
            spdlog::info("[{}] blocked {} {}: {} ({})", client.id, rec.method, rec.url,
                         verdict.threat_name, verdict.evidence);
            auto page = render_block_response(
                verdict, BlockDetails{rec.url, txn.transaction_id(), rec.start_time}, accept);
            ResponseOptions block_options{version, wants_keep_alive && !request_has_body, is_head};
            bool sent = co_await send_generated_response(client, page, block_options, rec);
            co_return sent&& block_options.keep_alive;
        }
    }

    // Mining over HTTP (getwork, getblocktemplate, stratum-style JSON-RPC) is a POST: look at
    // the start of its body before anything reaches the origin. Not with Expect: 100-continue,
    // whose client would wait for us first.
    // Body relay buffer (also holds the request body prefix for the check below).
    auto scratch_lease = client.worker.relay_buffers().borrow();
    const std::span<char> scratch = scratch_lease.span();
    std::string request_prefix;
    if (policy && request_has_body && req.method() == http::verb::post &&
        !iequals(req[http::field::expect], "100-continue")) {
        auto& body = req.body();
        body.data = scratch.data();
        body.size = request_scan_bytes;
        client.stream->transport().expires_after(cfg.client.body_idle_timeout);
        auto [ec, n] =
            co_await http::async_read_some(*client.stream, client.buffer, parser, use_tuple);
        if (ec == http::error::need_buffer) ec = {};
        if (ec) {
            rec.error = "request body read failed: " + ec.message();
            if (ec.category() == http::make_error_code(http::error::bad_chunk).category() &&
                ec != http::error::partial_message && ec != http::error::end_of_stream) {
                ++state.counters().bad_requests;
                auto page = prepare_error(
                    rec,
                    ErrorDetails{400, "Bad Request", rec.host,
                                 "malformed request body: " + ec.message(), txn.transaction_id()},
                    accept);
                co_await send_generated_response(client, page, error_options, rec);
            }
            co_return false;
        }
        request_prefix.assign(scratch.data(), request_scan_bytes - body.size);
        auto facts =
            facts_from_record(policy::Stage::Request, rec, target->scheme + "://" + rec.url);
        facts.content_type = std::string(req[http::field::content_type]);
        facts.leading_bytes = request_prefix;
        auto verdict = policy->decide(facts);
        if (!verdict.threat_name.empty()) apply_verdict(verdict, rec);
        if (verdict.blocks()) {
            spdlog::info("[{}] blocked {} {} body: {} ({})", client.id, rec.method, rec.url,
                         verdict.threat_name, verdict.evidence);
            auto page = render_block_response(
                verdict, BlockDetails{rec.url, txn.transaction_id(), rec.start_time}, accept);
            co_await send_generated_response(client, page, error_options, rec);
            co_return false;  // the rest of the body is unread: close
        }
    }

    // Rewrite the head for the origin: origin-form target, Host, Via, no hop-by-hop fields.
    const bool expect_continue =
        request_has_body && iequals(req[http::field::expect], "100-continue");
    const bool request_chunked = parser.chunked();
    // A WebSocket handshake keeps its Upgrade: the tunnel after "101" is inspected and relayed
    // (inside a bumped connection too: pool scripts mostly speak wss://).
    const auto connection_options = connection_option_names(req[http::field::connection]);
    const bool websocket_upgrade =
        !request_has_body && iequals(req[http::field::upgrade], "websocket") &&
        std::find(connection_options.begin(), connection_options.end(), "upgrade") !=
            connection_options.end();
    const std::string upgrade_value(req[http::field::upgrade]);
    strip_hop_by_hop(req);
    if (websocket_upgrade) {
        req.set(http::field::upgrade, upgrade_value);
        req.set(http::field::connection, "Upgrade");
    }
    req.target(target->path);
    if (!ctx.tunnel || req[http::field::host].empty())
        req.set(http::field::host, target->authority.host_header(default_port));
    req.set(http::field::via, append_via(req[http::field::via], version, state.via_pseudonym()));
    req.version(11);
    if (request_chunked) req.chunked(true);

    // A pooled connection may have been closed by the origin just now: for a request without a
    // body nothing is lost by retrying once on a fresh connection.
    for (int attempt = 0;; ++attempt) {
        auto acquired = co_await ctx.upstream.acquire(target->authority);
        if (!acquired.connection) {
            spdlog::info("[{}] {} {}: {}", client.id, rec.method, rec.url, acquired.detail);
            error_options.keep_alive = wants_keep_alive && !request_has_body && !state.draining;
            auto page = prepare_error(
                rec,
                ErrorDetails{acquired.status(), upstream_error_title(acquired.status()), rec.host,
                             acquired.detail, txn.transaction_id()},
                accept);
            bool sent = co_await send_generated_response(client, page, error_options, rec);
            co_return sent&& error_options.keep_alive;
        }
        UpstreamConnection& upstream = *acquired.connection;
        rec.server_ip = upstream.server_ip;
        ByteStream& up = *upstream.stream;
        const bool retry_allowed = upstream.reused && !request_has_body && attempt == 0;
        auto server_started = std::chrono::steady_clock::now();

        http::request_serializer<http::buffer_body> request_out{req};
        bool body_sent = !request_has_body;
        std::optional<http::response_parser<http::buffer_body>> response_parser;
        response_parser.emplace();

        // Relays the request body (and the head, unless already written).
        auto send_request_body = [&]() -> awaitable<RelayOutcome> {
            if (!request_prefix.empty()) {
                // The scanned start of the body goes first (with the head).
                auto& body = req.body();
                body.data = request_prefix.data();
                body.size = request_prefix.size();
                body.more = !parser.is_done();
                up.transport().expires_after(cfg.upstream.idle_timeout);
                auto [ec, n] = co_await http::async_write(up, request_out, use_tuple);
                if (ec && ec != http::error::need_buffer)
                    co_return RelayOutcome{RelayOutcome::Failure::WriteError, ec, 0};
            }
            auto sent = co_await relay_body<true>(*client.stream, client.buffer, parser, up,
                                                  request_out, cfg.client.body_idle_timeout,
                                                  cfg.upstream.idle_timeout, scratch);
            rec.request_body_bytes = request_prefix.size() + sent.body_bytes;
            if (sent.ok()) body_sent = true;
            co_return sent;
        };
        // Answers the client after a failed request relay, when that still makes sense.
        auto report_body_failure = [&](const RelayOutcome& sent) -> awaitable<void> {
            rec.error = "request relay failed: " + sent.error.message();
            int status = 0;
            std::string reason;
            if (sent.failure == RelayOutcome::Failure::BadBody) {
                ++state.counters().bad_requests;
                status = 400;
                reason = "malformed request body: " + sent.error.message();
            } else if (sent.failure == RelayOutcome::Failure::WriteError ||
                       sent.failure == RelayOutcome::Failure::WriteTimeout) {
                status = 502;
                reason = "the origin stopped accepting the request: " + sent.error.message();
            }
            if (status == 0) co_return;
            auto page = prepare_error(rec,
                                      ErrorDetails{status, upstream_error_title(status), rec.host,
                                                   reason, txn.transaction_id()},
                                      accept);
            co_await send_generated_response(client, page, error_options, rec);
        };

        if (expect_continue) {
            // Send the head and give the origin a moment to answer "100 Continue" first.
            up.transport().expires_after(cfg.upstream.idle_timeout);
            auto [ec, n] = co_await http::async_write_header(up, request_out, use_tuple);
            if (ec) {
                co_await report_body_failure({RelayOutcome::Failure::WriteError, ec, 0});
                co_return false;
            }
            StreamDeadline wait(up.transport(), expect_continue_wait);
            auto [wait_ec] =
                co_await up.transport().socket().async_wait(tcp::socket::wait_read, use_tuple);
            if (wait_ec && wait.expired()) {
                // The origin is silent: tell the client to go ahead ourselves.
                http::response<http::empty_body> go_ahead{http::status::continue_, 11};
                if (!co_await forward_interim(client, go_ahead.base())) co_return false;
                auto sent = co_await send_request_body();
                if (!sent.ok()) {
                    co_await report_body_failure(sent);
                    co_return false;
                }
            }
        } else {
            auto sent = co_await send_request_body();
            if (!sent.ok()) {
                if (sent.failure == RelayOutcome::Failure::WriteError && retry_allowed) continue;
                co_await report_body_failure(sent);
                co_return false;
            }
        }

        // Read the response head, passing interim 1xx responses on to the client.
        bool origin_answered_early = false;  // final answer before we sent the body
        bool retry = false;
        for (;;) {
            auto& rp = *response_parser;
            rp.header_limit(static_cast<std::uint32_t>(
                std::max<std::size_t>(cfg.limits.max_header_bytes, 65536)));
            rp.body_limit(boost::none);
            if (is_head) rp.skip(true);
            up.transport().expires_after(cfg.upstream.idle_timeout);
            auto [ec, n] = co_await http::async_read_header(up, upstream.buffer, rp, use_tuple);
            if (ec) {
                if (retry_allowed && !rp.got_some() && ec != beast::error::timeout) {
                    retry = true;
                    break;
                }
                bool timeout = ec == beast::error::timeout;
                if (timeout) ++state.counters().upstream_timeouts;
                std::string reason =
                    timeout ? "the origin did not answer within " +
                                  std::to_string(cfg.upstream.idle_timeout.count()) + " ms"
                            : "the origin sent no valid response: " + ec.message();
                spdlog::info("[{}] {} {}: {}", client.id, rec.method, rec.url, reason);
                auto page = prepare_error(
                    rec,
                    ErrorDetails{timeout ? 504 : 502, upstream_error_title(timeout ? 504 : 502),
                                 rec.host, reason, txn.transaction_id()},
                    accept);
                co_await send_generated_response(client, page, error_options, rec);
                co_return false;
            }
            auto code = rp.get().result_int();
            if (code >= 100 && code < 200 && code != 101) {
                if (code == 100 && expect_continue && !body_sent) {
                    if (!co_await forward_interim(client, rp.get().base())) co_return false;
                    auto sent = co_await send_request_body();
                    if (!sent.ok()) {
                        co_await report_body_failure(sent);
                        co_return false;
                    }
                } else if (!(code == 100 && expect_continue)) {
                    if (!co_await forward_interim(client, rp.get().base())) co_return false;
                }
                response_parser.emplace();
                continue;
            }
            // The origin answered before asking for the body; the client may still send it, so
            // neither connection can be trusted for another request.
            origin_answered_early = !body_sent;
            break;
        }
        if (retry) continue;

        auto& rp = *response_parser;
        auto& res = rp.get();
        if (res.result_int() == 101) {
            if (!websocket_upgrade) {
                auto page = prepare_error(
                    rec,
                    ErrorDetails{502, "Bad Gateway", rec.host,
                                 "the origin switched protocols unasked", txn.transaction_id()},
                    accept);
                co_await send_generated_response(client, page, error_options, rec);
                co_return false;
            }
            co_await relay_websocket(client, upstream, res, policy.get(), rec);
            co_return false;
        }
        const bool origin_keep_alive = res.keep_alive();
        const bool origin_chunked = rp.chunked();
        const bool has_length = rp.content_length().has_value();
        const bool no_body = is_head || rp.is_done();
        rec.content_type = std::string(res[http::field::content_type]);
        strip_hop_by_hop(res);
        res.set(http::field::via, append_via(res[http::field::via], 11, state.via_pseudonym()));
        bool client_keep_alive =
            wants_keep_alive && body_sent && !origin_answered_early && !state.draining;
        if (!no_body && !has_length) {
            if (version == 11)
                res.chunked(true);  // re-frame a close-delimited body for keep-alive
            else
                client_keep_alive = false;
        }
        if (version == 10 && (res.chunked() || origin_chunked)) {
            // HTTP/1.0 clients do not understand chunked framing: delimit by closing instead.
            res.chunked(false);
            client_keep_alive = false;
        }
        rec.response_version = http_version_text(res.version());  // as the origin sent it
        res.version(version);
        res.keep_alive(client_keep_alive);
        rec.status = res.result_int();

        // The origin's response broke off while nothing of it had reached the client: a 502.
        auto send_broken_response = [&](error_code ec) -> awaitable<void> {
            auto page =
                prepare_error(rec,
                              ErrorDetails{502, "Bad Gateway", rec.host,
                                           "the origin's response broke off: " + ec.message(),
                                           txn.transaction_id()},
                              accept);
            co_await send_generated_response(client, page, error_options, rec);
        };

        // Browser miners hide in page, script and WebAssembly bodies: hold back the head until
        // the first bytes (up to the policy's limit) have been scanned.
        std::string body_prefix;
        if (policy && !no_body && policy::content_type_is_scannable(rec.content_type)) {
            auto scan = co_await scan_response_prefix(up, upstream.buffer, rp, *policy, body_prefix,
                                                      cfg.upstream.idle_timeout, scratch);
            if (!scan.read_ok) {
                rec.error = "response relay failed: " + scan.read_error.message();
                co_await send_broken_response(scan.read_error);
                co_return false;
            }
            if (scan.verdict) {
                apply_verdict(*scan.verdict, rec);
                if (scan.verdict->blocks()) {
                    spdlog::info("[{}] blocked response {} {}: {} ({})", client.id, rec.method,
                                 rec.url, scan.verdict->threat_name, scan.verdict->evidence);
                    auto page = render_block_response(
                        *scan.verdict, BlockDetails{rec.url, txn.transaction_id(), rec.start_time},
                        accept);
                    // The rest of the origin's body is never read: that connection is dropped.
                    ResponseOptions block_options{version, client_keep_alive, is_head};
                    bool sent = co_await send_generated_response(client, page, block_options, rec);
                    co_return sent&& block_options.keep_alive;
                }
            }
        }

        http::response_serializer<http::buffer_body> response_out{res};
        const auto head_bytes = serialized_head_bytes(res.base());
        // The head goes out with the first body bytes (one TLS record, one send) when those
        // are already here; on its own only when the body has yet to arrive, so the client is
        // not kept waiting for it, and for HEAD, whose response has no body even when its
        // headers announce a chunked one (the serializer would add the last chunk).
        const bool body_at_hand = !body_prefix.empty() || rp.is_done() || upstream.buffer.size();
        if (!body_at_hand || is_head) {
            client.stream->transport().expires_after(cfg.client.body_idle_timeout);
            auto [hec, header_bytes] =
                co_await http::async_write_header(*client.stream, response_out, use_tuple);
            if (hec) {
                rec.error = "client went away: " + hec.message();
                co_return false;
            }
            rec.response_header_bytes = head_bytes;
        }
        if (!body_prefix.empty()) {
            client.stream->transport().expires_after(cfg.client.body_idle_timeout);
            auto& body = res.body();
            body.data = body_prefix.data();
            body.size = body_prefix.size();
            body.more = !rp.is_done();
            auto [pec, pn] = co_await http::async_write(*client.stream, response_out, use_tuple);
            if (pec && pec != http::error::need_buffer) {
                rec.error = "client went away: " + pec.message();
                co_return false;
            }
        }
        RelayOutcome received;
        if (!is_head)
            received = co_await relay_body<false>(up, upstream.buffer, rp, *client.stream,
                                                  response_out, cfg.upstream.idle_timeout,
                                                  cfg.client.body_idle_timeout, scratch);
        if (response_out.is_header_done()) rec.response_header_bytes = head_bytes;
        rec.response_body_bytes = body_prefix.size() + received.body_bytes;
        rec.server_transaction_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                        std::chrono::steady_clock::now() - server_started)
                                        .count();
        if (!received.ok()) {
            rec.error = "response relay failed: " + received.error.message();
            if (received.failure == RelayOutcome::Failure::ReadTimeout)
                ++state.counters().upstream_timeouts;
            const bool read_failed = received.failure == RelayOutcome::Failure::ReadTimeout ||
                                     received.failure == RelayOutcome::Failure::ReadError ||
                                     received.failure == RelayOutcome::Failure::BadBody;
            if (read_failed && !response_out.is_header_done())
                co_await send_broken_response(received.error);
            co_return false;
        }
        if (origin_keep_alive && body_sent && !origin_answered_early && rp.is_done() &&
            upstream.buffer.size() == 0)
            ctx.upstream.release(target->authority, std::move(upstream));
        co_return client_keep_alive;
    }
}

}  // namespace minewall::proxy
