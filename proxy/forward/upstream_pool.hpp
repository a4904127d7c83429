#pragma once
// Idle kept-alive connections to origins, per worker thread (so no locks): keyed by
// "host:port", newest first, each with an expiry. Bounded per host.
#include <chrono>
#include <list>
#include <optional>
#include <string>
#include <unordered_map>

#include "proxy/net/byte_stream.hpp"

namespace minewall::proxy {

struct UpstreamConnection {
    std::unique_ptr<ByteStream> stream;
    beast::flat_buffer buffer;  // bytes read from the origin not yet parsed
    std::string server_ip;
    bool reused = false;  // came from the pool: may have been closed by the origin meanwhile
};

class UpstreamPool {
  public:
    using Clock = std::chrono::steady_clock;

    // A live idle connection for key, or nullopt. Expired and dead ones are dropped.
    std::optional<UpstreamConnection> take(const std::string& key);

    // The newest unexpired idle connection for key without taking it (not checked for
    // liveness: take() does that), or nullptr. Lets a caller skip opening a connection it would not
    // use.
    const UpstreamConnection* peek(const std::string& key) const;

    void give_back(const std::string& key, UpstreamConnection connection,
                   std::chrono::milliseconds idle_timeout, std::size_t max_per_host);

    // Closes expired connections; the worker calls it periodically.
    void sweep();
    void clear() { idle_.clear(); }
    std::size_t idle_count() const;

  private:
    struct Idle {
        UpstreamConnection connection;
        Clock::time_point expires;
    };
    std::unordered_map<std::string, std::list<Idle>> idle_;
};

}  // namespace minewall::proxy
