#include "proxy/session/client_session.hpp"

#include <spdlog/spdlog.h>

#include "config/cidr.hpp"
#include "identity/identity_sources.hpp"
#include "proxy/forward/http_forwarder.hpp"
#include "proxy/forward/upstream_source.hpp"
#include "proxy/http/client_response.hpp"
#include "proxy/listen/worker.hpp"
#include "proxy/net/stream_deadline.hpp"
#include "proxy/ops/proxy_state.hpp"
#include "proxy/session/client_connection.hpp"
#include "proxy/session/transaction_scope.hpp"
#include "proxy/tunnel/connect_handler.hpp"

namespace minewall::proxy {

namespace {

// Counts the connection for the connection limit and the shutdown drain.
class ActiveConnection {
  public:
    explicit ActiveConnection(ProxyState& state) : state_(state) { ++state_.active_connections; }
    ~ActiveConnection() { --state_.active_connections; }
    ActiveConnection(const ActiveConnection&) = delete;
    ActiveConnection& operator=(const ActiveConnection&) = delete;

  private:
    ProxyState& state_;
};

// Waits for the first byte of the next request without consuming it. False when the wait
// timed out or shutdown cancelled it: the connection is idle and can simply be closed.
awaitable<bool> wait_for_request(ClientConnection& client, std::chrono::milliseconds timeout) {
    if (client.buffer.size() > 0 || client.stream->has_buffered_input())
        co_return true;  // a pipelined request is already here
    if (client.worker.state().draining) co_return false;
    StreamDeadline deadline(client.stream->transport(), timeout);
    client.worker.idle_sessions().add(deadline);  // unlinked when the wait ends
    if (client.stream->is_tls()) {
        // TLS may hold received bytes the socket no longer shows (read with the handshake):
        // read instead of waiting for readability. The bytes go where the parser looks first.
        auto buffers = client.buffer.prepare(16 * 1024);
        auto [ec, n] = co_await client.stream->async_read_some(buffers, use_tuple);
        client.buffer.commit(n);
        co_return n > 0;
    }
    auto [ec] =
        co_await client.stream->transport().socket().async_wait(tcp::socket::wait_read, use_tuple);
    co_return !ec;
}

// Reads one request head within client.header_timeout. A Beast stream timeout would close
// the socket; a deadline only cancels the read, so the connection stays open for a 408.
awaitable<std::tuple<error_code, std::size_t>> read_request_head(ClientConnection& client,
                                                                 RequestParser& parser) {
    client.stream->transport().expires_never();
    StreamDeadline deadline(client.stream->transport(), client.config->client.header_timeout);
    auto [ec, n] =
        co_await http::async_read_header(*client.stream, client.buffer, parser, use_tuple);
    if (ec && deadline.expired())
        co_return std::tuple{error_code(beast::error::timeout), std::size_t{0}};
    co_return std::tuple{ec, n};
}

// A request head could not be read: answer when the client deserves an answer.
awaitable<void> answer_unreadable_head(ClientConnection& client, const RequestParser& parser,
                                       const error_code& ec) {
    ProxyState& state = client.worker.state();
    const bool got_bytes = parser.got_some() || client.buffer.size() > 0;
    if (ec == http::error::end_of_stream || ec == asio::error::eof ||
        ec == asio::error::connection_reset || ec == asio::error::operation_aborted ||
        (ec == beast::error::timeout && !got_bytes))
        co_return;  // the client left or stayed silent: nothing to answer
    TransactionScope txn(client, state);
    auto& rec = txn.record();
    rec.protocol = "HTTP";
    ErrorDetails details{400, "Bad Request", "", "", txn.transaction_id()};
    std::string reason;
    if (ec == http::error::header_limit) {
        details.status = 431;
        details.title = "Request Header Fields Too Large";
        reason = "the request head is larger than " +
                 std::to_string(client.config->limits.max_header_bytes) + " bytes";
    } else if (ec == beast::error::timeout) {
        details.status = 408;
        details.title = "Request Timeout";
        reason = "the request head did not arrive within " +
                 std::to_string(client.config->client.header_timeout.count()) + " ms";
    } else {
        reason = "malformed request: " + ec.message();
    }
    ++state.counters().bad_requests;
    details.reason = reason;
    spdlog::info("[{}] {}: {}", client.id, details.status, reason);
    auto page = prepare_error(rec, details, "");
    co_await send_generated_response(client, page, ResponseOptions{11, false, false}, rec);
}

// Clients outside allowed_clients get a 403 to their first request, then the door.
awaitable<void> refuse_client(ClientConnection& client) {
    ProxyState& state = client.worker.state();
    ++state.counters().connections_refused_client_acl;
    spdlog::warn("[{}] refused client {}: not in allowed_clients", client.id, client.peer_ip);
    RequestParser parser;
    parser.header_limit(static_cast<std::uint32_t>(client.config->limits.max_header_bytes));
    auto [ec, n] = co_await read_request_head(client, parser);
    TransactionScope txn(client, state);
    auto& rec = txn.record();
    rec.protocol = "HTTP";
    rec.blocked = true;
    rec.reason = "Not allowed to use this proxy";
    if (!ec) {
        rec.method = std::string(parser.get().method_string());
        rec.url = std::string(parser.get().target());
    }
    auto page11 = prepare_error(
        rec,
        ErrorDetails{403, "Forbidden", "",
                     "client address " + client.peer_ip + " is not allowed to use this proxy",
                     txn.transaction_id()},
        ec ? std::string_view{} : std::string_view(parser.get()[http::field::accept]));
    co_await send_generated_response(client, page11, ResponseOptions{11, false, false}, rec);
}

// Runs blocking work (password hashing) off the I/O threads and resumes on the caller's.
template <class Fn>
awaitable<std::invoke_result_t<Fn>> run_blocking(Fn fn) {
    static asio::thread_pool blocking_pool(2);
    auto home = co_await asio::this_coro::executor;
    co_await asio::post(blocking_pool, asio::use_awaitable);
    auto result = fn();
    co_await asio::post(home, asio::use_awaitable);
    co_return result;
}

// Attributes the request to a client and identity: X-Forwarded-For from trusted forwarders,
// the address map, and the proxy login. False when the request was answered with a 407.
awaitable<bool> identify_client(ClientConnection& client, RequestParser& parser,
                                const identity::IdentitySources& identity, bool& keep_alive) {
    auto& req = parser.get();
    client.client_ip = identity::attributed_client_ip(client.peer_ip, req["X-Forwarded-For"],
                                                      identity.trusted_forwarders);
    client.login.clear();
    client.department.clear();
    client.device_owner.clear();
    client.device_hostname.clear();
    client.location.clear();
    if (identity.map) {
        if (auto who = identity.map->lookup(client.client_ip)) {
            client.login = who->user;
            client.department = who->department;
            client.device_owner = who->device_owner;
            client.device_hostname = who->device_hostname;
            client.location = who->location;
        }
    }
    if (!identity.credentials) co_return true;

    ProxyState& state = client.worker.state();
    const auto& guard = client.config->identity.failed_logins;
    const auto lockout_left = state.failed_logins().penalty_left(client.client_ip);
    auto offered = identity::parse_proxy_authorization(req[http::field::proxy_authorization]);
    bool accepted = false;
    if (offered && lockout_left.count() == 0) {
        auto credentials = identity.credentials;
        auto user = offered->user;
        auto password = offered->password;
        // Named, not a temporary: see prepare_error() on g++ 12 and co_await temporaries.
        auto check = [credentials, user, password] { return credentials->verify(user, password); };
        accepted = co_await run_blocking(std::move(check));
    }
    if (accepted) {
        client.login = offered->user;
        co_return true;
    }
    // 407: the browser asks the user and retries on this connection. 429 while the address is
    // locked out for guessing: its passwords are not even checked (hashing costs us CPU).
    TransactionScope txn(client, state);
    auto& rec = txn.record();
    rec.protocol = req.method() == http::verb::connect ? "HTTP_PROXY" : "HTTP";
    rec.method = std::string(req.method_string());
    rec.url = std::string(req.target());
    rec.user_agent = std::string(req[http::field::user_agent]);
    if (offered) rec.login = offered->user;
    rec.blocked = true;
    GeneratedResponse page;
    if (lockout_left.count() > 0) {
        ++state.counters().logins_refused_lockout;
        const auto retry_after = std::chrono::ceil<std::chrono::seconds>(lockout_left).count();
        rec.reason = "Not allowed: too many failed proxy logins";
        rec.error = "client address locked out after failed proxy logins";
        spdlog::info("[{}] 429 for {} {} from {}: locked out for {} s more", client.id, rec.method,
                     rec.url, client.client_ip, retry_after);
        page = render_error_response(
            ErrorDetails{429, "Too Many Requests", "",
                         "too many failed logins from " + client.client_ip + "; try again in " +
                             std::to_string(retry_after) + " s",
                         txn.transaction_id()},
            accepts_html(req[http::field::accept]));
        page.headers.emplace_back("Retry-After", std::to_string(retry_after));
    } else {
        if (offered) {
            ++state.counters().failed_logins;
            identity::StrikeCounter::Rule rule{guard.limit, guard.window, guard.lockout};
            if (state.failed_logins().strike(client.client_ip, rule))
                spdlog::warn(
                    "{} failed proxy logins from {} within {} s (last as '{}'): address "
                    "refused for {} s",
                    guard.limit, client.client_ip, guard.window.count() / 1000, offered->user,
                    guard.lockout.count() / 1000);
        }
        rec.reason = "Not allowed: proxy authentication required";
        rec.error = "proxy authentication required";
        spdlog::info("[{}] 407 for {} {}{}", client.id, rec.method, rec.url,
                     offered ? " (wrong credentials for " + offered->user + ")" : "");
        page = render_error_response(
            ErrorDetails{407, "Proxy Authentication Required", "",
                         offered ? "the user name or password is not valid"
                                 : "this proxy needs a user name and password",
                         txn.transaction_id()},
            accepts_html(req[http::field::accept]));
        page.headers.emplace_back("Proxy-Authenticate",
                                  identity::render_proxy_authenticate(identity.realm));
    }
    // A body we did not read would be taken for the next request: close in that case.
    keep_alive = req.keep_alive() && parser.is_done() && !state.draining;
    bool sent = co_await send_generated_response(
        client, page, ResponseOptions{req.version() == 10 ? 10u : 11u, keep_alive, false}, rec);
    keep_alive = keep_alive && sent;
    co_return false;
}

}  // namespace

awaitable<void> serve_requests(ClientConnection& client, UpstreamSource& upstream,
                               const Authority* tunnel) {
    const config::Config& cfg = *client.config;
    bool first = true;
    for (;;) {
        auto idle = first ? cfg.client.header_timeout : cfg.client.keepalive_timeout;
        if (!co_await wait_for_request(client, idle)) break;
        RequestParser parser;
        parser.header_limit(static_cast<std::uint32_t>(cfg.limits.max_header_bytes));
        parser.body_limit(boost::none);
        auto [read_ec, head_bytes] = co_await read_request_head(client, parser);
        if (read_ec) {
            co_await answer_unreadable_head(client, parser, read_ec);
            break;
        }
        first = false;
        if (auto identity = client.worker.state().identity()) {
            bool keep_alive = false;
            if (!co_await identify_client(client, parser, *identity, keep_alive)) {
                if (!keep_alive) break;
                continue;
            }
        }
        if (parser.get().method() == http::verb::connect && !tunnel) {
            co_await handle_connect(client, parser, head_bytes);
            break;
        }
        if (!co_await forward_http_request(client, parser, head_bytes, {upstream, tunnel})) break;
        if (client.worker.state().draining) break;
    }
}

awaitable<void> run_client_session(tcp::socket socket, Worker& worker) {
    ProxyState& state = worker.state();
    ActiveConnection active(state);
    error_code ec;
    auto peer = socket.remote_endpoint(ec);
    if (ec) co_return;
    ClientConnection client{std::make_unique<TcpByteStream>(beast::tcp_stream(std::move(socket))),
                            {},
                            worker,
                            state.config(),
                            worker.next_connection_id(),
                            peer.address().to_string(),
                            peer.port(),
                            peer.address().to_string(),
                            {},
                            {},
                            {},
                            {},
                            {},
                            {},
                            {},
                            {},
                            {}};
    client.stream->transport().socket().set_option(tcp::no_delay(true), ec);

    if (!config::any_contains(client.config->allowed_clients, client.peer_ip)) {
        co_await refuse_client(client);
    } else {
        PooledUpstreamSource pooled(worker);
        co_await serve_requests(client, pooled, nullptr);
    }
    // Send our FIN first so a client still sending sees an orderly end, not a reset.
    client.stream->transport().socket().shutdown(tcp::socket::shutdown_send, ec);
    client.stream->transport().close();
}

}  // namespace minewall::proxy
