#pragma once
// One I/O thread: its own io_context, listener sockets (SO_REUSEPORT), upstream pool and idle
// session registry. A connection never changes worker, so the hot path takes no locks.
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "proxy/forward/upstream_pool.hpp"
#include "proxy/net/net.hpp"
#include "proxy/net/relay_buffers.hpp"
#include "proxy/session/idle_sessions.hpp"

namespace minewall::proxy {

class ProxyState;

class Worker {
  public:
    Worker(unsigned index, ProxyState& state);
    Worker(const Worker&) = delete;
    Worker& operator=(const Worker&) = delete;

    unsigned index() const { return index_; }
    asio::io_context& context() { return context_; }
    ProxyState& state() { return state_; }
    UpstreamPool& pool() { return pool_; }
    IdleSessions& idle_sessions() { return idle_sessions_; }
    RelayBuffers& relay_buffers() { return relay_buffers_; }
    std::string next_connection_id();

    // Opens a listening socket on this worker (before start()). Port 0 picks a free port;
    // returns the bound port.
    std::uint16_t listen(const std::string& address, std::uint16_t port);

    void start();
    // Thread-safe: close the listeners and end idle keep-alive sessions.
    void stop_accepting();
    // Thread-safe: stop the event loop (cuts whatever is still running).
    void stop() { context_.stop(); }
    void join();

  private:
    awaitable<void> accept_loop(tcp::acceptor& acceptor);
    awaitable<void> maintenance_loop();

    unsigned index_;
    ProxyState& state_;
    // Before context_: coroutine frames destroyed with the context still give their leases back.
    RelayBuffers relay_buffers_;
    asio::io_context context_{1};
    std::vector<tcp::acceptor> acceptors_;
    UpstreamPool pool_;
    IdleSessions idle_sessions_;
    std::uint64_t next_connection_ = 1;
    bool accepting_ = true;
    std::thread thread_;
};

}  // namespace minewall::proxy
