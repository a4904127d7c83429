#include "proxy/listen/worker.hpp"

#include <spdlog/spdlog.h>

#include "proxy/ops/proxy_state.hpp"
#include "proxy/session/client_session.hpp"

namespace minewall::proxy {

Worker::Worker(unsigned index, ProxyState& state) : index_(index), state_(state) {}

std::string Worker::next_connection_id() {
    return "w" + std::to_string(index_) + "c" + std::to_string(next_connection_++);
}

std::uint16_t Worker::listen(const std::string& address, std::uint16_t port) {
    tcp::endpoint endpoint(asio::ip::make_address(address), port);
    tcp::acceptor acceptor(context_);
    acceptor.open(endpoint.protocol());
    acceptor.set_option(asio::socket_base::reuse_address(true));
    // Each worker binds the same address:port; the kernel spreads new connections.
    int one = 1;
    if (::setsockopt(acceptor.native_handle(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0)
        throw std::system_error(errno, std::generic_category(), "SO_REUSEPORT");
    if (endpoint.address().is_v6()) acceptor.set_option(asio::ip::v6_only(true));
    acceptor.bind(endpoint);
    acceptor.listen(asio::socket_base::max_listen_connections);
    auto bound = acceptor.local_endpoint().port();
    acceptors_.push_back(std::move(acceptor));
    return bound;
}

void Worker::start() {
    for (auto& acceptor : acceptors_)
        asio::co_spawn(context_, accept_loop(acceptor), asio::detached);
    asio::co_spawn(context_, maintenance_loop(), asio::detached);
    thread_ = std::thread([this] {
        try {
            context_.run();
        } catch (const std::exception& e) {
            spdlog::critical("worker {} stopped by an unexpected exception: {}", index_, e.what());
        }
    });
}

void Worker::stop_accepting() {
    asio::post(context_, [this] {
        accepting_ = false;
        for (auto& acceptor : acceptors_) {
            error_code ignored;
            acceptor.close(ignored);
        }
        idle_sessions_.expire_all();
        pool_.clear();
    });
}

void Worker::join() {
    if (thread_.joinable()) thread_.join();
}

awaitable<void> Worker::accept_loop(tcp::acceptor& acceptor) {
    auto& counters = state_.counters();
    while (accepting_) {
        auto [ec, socket] = co_await acceptor.async_accept(use_tuple);
        if (ec) {
            if (!accepting_ || ec == asio::error::operation_aborted) break;
            // EMFILE and friends: back off briefly instead of spinning.
            spdlog::warn("accept failed: {}", ec.message());
            asio::steady_timer pause(context_, std::chrono::milliseconds(50));
            co_await pause.async_wait(use_tuple);
            continue;
        }
        ++counters.connections_accepted;
        auto config = state_.config();
        if (state_.active_connections.load() >= config->limits.max_connections) {
            ++counters.connections_refused_limit;
            spdlog::warn("connection limit {} reached: refusing a new client",
                         config->limits.max_connections);
            static constexpr std::string_view busy =
                "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\n"
                "Content-Length: 32\r\nConnection: close\r\n\r\nminewall: too many connections\r\n";
            error_code ignored;
            socket.non_blocking(true, ignored);
            socket.write_some(asio::buffer(busy), ignored);
            socket.close(ignored);
            continue;
        }
        asio::co_spawn(context_, run_client_session(std::move(socket), *this), asio::detached);
    }
}

awaitable<void> Worker::maintenance_loop() {
    asio::steady_timer timer(context_);
    while (accepting_) {
        timer.expires_after(std::chrono::seconds(1));
        co_await timer.async_wait(use_tuple);
        pool_.sweep();
    }
}

}  // namespace minewall::proxy
