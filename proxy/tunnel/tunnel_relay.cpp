#include "proxy/tunnel/tunnel_relay.hpp"

#include <array>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ssl/error.hpp>

namespace minewall::proxy {

using namespace boost::asio::experimental::awaitable_operators;

namespace {

using Clock = std::chrono::steady_clock;

template <class Stream>
struct TunnelState {
    Stream& client;
    Stream& server;
    Clock::time_point last_activity = Clock::now();
    TunnelStats stats;
};

void close_socket(tcp::socket& s) {
    error_code ignored;
    s.close(ignored);
}
void close_socket(ByteStream& s) {
    close_socket(s.transport().socket());
}

// Passes a FIN on. TLS has no half-close here (the peer's close_notify ends the session), so
// the other direction of a TLS relay runs until it ends too or the idle timeout fires.
void half_close(tcp::socket& s) {
    error_code ignored;
    s.shutdown(tcp::socket::shutdown_send, ignored);
}
void half_close(ByteStream& s) {
    if (!s.is_tls()) half_close(s.transport().socket());
}

template <class Stream>
void close_both(TunnelState<Stream>& t) {
    close_socket(t.client);
    close_socket(t.server);
}

template <class Stream>
awaitable<void> pump(TunnelState<Stream>& t, Stream& from, Stream& to, std::uint64_t& count) {
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
            if (ec == asio::error::eof || ec == asio::ssl::error::stream_truncated) {
                // Half-close: pass the FIN on and let the other direction finish.
                half_close(to);
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

template <class Stream>
awaitable<void> watchdog(TunnelState<Stream>& t, std::chrono::milliseconds idle_timeout) {
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

template <class Stream>
awaitable<TunnelStats> relay(Stream& client, Stream& server,
                             std::chrono::milliseconds idle_timeout) {
    TunnelState<Stream> t{client, server, Clock::now(), {}};
    co_await ((pump(t, client, server, t.stats.client_to_server) &&
               pump(t, server, client, t.stats.server_to_client)) ||
              watchdog(t, idle_timeout));
    close_both(t);
    co_return t.stats;
}

}  // namespace

awaitable<TunnelStats> relay_tunnel(tcp::socket& client, tcp::socket& server,
                                    std::chrono::milliseconds idle_timeout) {
    return relay(client, server, idle_timeout);
}

awaitable<TunnelStats> relay_streams(ByteStream& client, ByteStream& server,
                                     std::chrono::milliseconds idle_timeout) {
    return relay(client, server, idle_timeout);
}

}  // namespace minewall::proxy
