#include "proxy/tunnel_relay.hpp"

#include <array>
#include <boost/asio/experimental/awaitable_operators.hpp>

namespace minewall::proxy {

using namespace boost::asio::experimental::awaitable_operators;

namespace {

using Clock = std::chrono::steady_clock;

struct TunnelState {
    tcp::socket& client;
    tcp::socket& server;
    Clock::time_point last_activity = Clock::now();
    TunnelStats stats;
};

void close_both(TunnelState& t) {
    error_code ignored;
    t.client.close(ignored);
    t.server.close(ignored);
}

awaitable<void> pump(TunnelState& t, tcp::socket& from, tcp::socket& to, std::uint64_t& count) {
    std::array<char, 16 * 1024> buffer;
    for (;;) {
        auto [ec, n] = co_await from.async_read_some(asio::buffer(buffer), use_tuple);
        if (n > 0) {
            t.last_activity = Clock::now();
            auto [wec, written] =
                co_await asio::async_write(to, asio::buffer(buffer.data(), n), use_tuple);
            count += written;
            t.last_activity = Clock::now();
            if (wec) {
                if (t.stats.error.empty() && wec != asio::error::operation_aborted)
                    t.stats.error = "write failed: " + wec.message();
                close_both(t);
                co_return;
            }
        }
        if (ec) {
            if (ec == asio::error::eof) {
                // Half-close: pass the FIN on and let the other direction finish.
                error_code ignored;
                to.shutdown(tcp::socket::shutdown_send, ignored);
            } else {
                if (t.stats.error.empty() && ec != asio::error::operation_aborted &&
                    ec != asio::error::bad_descriptor)
                    t.stats.error = "read failed: " + ec.message();
                close_both(t);
            }
            co_return;
        }
    }
}

awaitable<void> watchdog(TunnelState& t, std::chrono::milliseconds idle_timeout) {
    asio::steady_timer timer(co_await asio::this_coro::executor);
    for (;;) {
        timer.expires_at(t.last_activity + idle_timeout);
        auto [ec] = co_await timer.async_wait(use_tuple);
        if (ec) co_return;  // cancelled: the tunnel ended
        if (Clock::now() >= t.last_activity + idle_timeout) {
            t.stats.idle_timeout = true;
            co_return;
        }
    }
}

}  // namespace

awaitable<TunnelStats> relay_tunnel(tcp::socket& client, tcp::socket& server,
                                    std::chrono::milliseconds idle_timeout) {
    TunnelState t{client, server, Clock::now(), {}};
    co_await ((pump(t, client, server, t.stats.client_to_server) &&
               pump(t, server, client, t.stats.server_to_client)) ||
              watchdog(t, idle_timeout));
    close_both(t);
    co_return t.stats;
}

}  // namespace minewall::proxy
