#include "proxy/client_session.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/experimental/awaitable_operators.hpp>

#include "config/cidr.hpp"
#include "proxy/client_connection.hpp"
#include "proxy/client_response.hpp"
#include "proxy/connect_handler.hpp"
#include "proxy/http_forwarder.hpp"
#include "proxy/proxy_state.hpp"
#include "proxy/transaction_scope.hpp"
#include "proxy/upstream_source.hpp"
#include "proxy/worker.hpp"

namespace minewall::proxy {

using namespace boost::asio::experimental::awaitable_operators;

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
    if (client.buffer.size() > 0) co_return true;  // a pipelined request is already here
    if (client.worker.state().draining) co_return false;
    asio::steady_timer timer(co_await asio::this_coro::executor, timeout);
    client.worker.idle_sessions().add(&timer);
    auto result = co_await (
        client.stream->transport().socket().async_wait(tcp::socket::wait_read, use_tuple) ||
        timer.async_wait(use_tuple));
    client.worker.idle_sessions().remove(&timer);
    co_return result.index() == 0 && !std::get<0>(std::get<0>(result));
}

// Reads one request head within client.header_timeout. A Beast stream timeout would close
// the socket, so the deadline is a separate timer: the connection stays open for a 408.
awaitable<std::tuple<error_code, std::size_t>> read_request_head(ClientConnection& client,
                                                                 RequestParser& parser) {
    asio::steady_timer deadline(co_await asio::this_coro::executor,
                                client.config->client.header_timeout);
    client.stream->transport().expires_never();
    auto result =
        co_await (http::async_read_header(*client.stream, client.buffer, parser, use_tuple) ||
                  deadline.async_wait(use_tuple));
    if (result.index() == 1)
        co_return std::tuple{error_code(beast::error::timeout), std::size_t{0}};
    co_return std::get<0>(result);
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
                            peer.port()};
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
