#include "proxy/forward/upstream_source.hpp"

#include "proxy/listen/worker.hpp"
#include "proxy/ops/proxy_state.hpp"

namespace minewall::proxy {

awaitable<UpstreamConnectResult> PooledUpstreamSource::acquire(const Authority& target) {
    if (auto pooled = worker_.pool().take(target.to_string())) {
        ++worker_.state().counters().upstream_reused;
        UpstreamConnectResult result;
        result.connection.emplace(std::move(*pooled));
        co_return result;
    }
    auto config = worker_.state().config();
    co_return co_await connect_upstream(target, config->upstream.connect_timeout, worker_.state());
}

void PooledUpstreamSource::release(const Authority& target, UpstreamConnection connection) {
    if (worker_.state().draining) return;
    auto config = worker_.state().config();
    worker_.pool().give_back(target.to_string(), std::move(connection),
                             config->upstream.pool_idle_timeout,
                             config->upstream.pool_max_idle_per_host);
}

}  // namespace minewall::proxy
