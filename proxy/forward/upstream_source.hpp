#pragma once
// Where the forwarder gets its origin connections: the per-worker pool for plain HTTP, or the
// single verified TLS connection of a bumped tunnel.
#include "proxy/forward/upstream_connector.hpp"
#include "proxy/http/request_target.hpp"

namespace minewall::proxy {

class Worker;

class UpstreamSource {
  public:
    virtual ~UpstreamSource() = default;
    // A connection to target, or the failure to report to the client.
    virtual awaitable<UpstreamConnectResult> acquire(const Authority& target) = 0;
    // A connection that finished an exchange cleanly and may carry another request.
    virtual void release(const Authority& target, UpstreamConnection connection) = 0;
};

// Plain HTTP: reuse the worker's idle connections, else open a new one.
class PooledUpstreamSource final : public UpstreamSource {
  public:
    explicit PooledUpstreamSource(Worker& worker) : worker_(worker) {}
    awaitable<UpstreamConnectResult> acquire(const Authority& target) override;
    void release(const Authority& target, UpstreamConnection connection) override;

  private:
    Worker& worker_;
};

}  // namespace minewall::proxy
