#pragma once
// Opening a TCP connection to an origin: name resolution and connect, each bounded by the
// connect timeout, with failures classified for the status the client gets (502 / 504 / 508).
#include <optional>
#include <string>

#include "proxy/forward/upstream_pool.hpp"
#include "proxy/http/request_target.hpp"
#include "proxy/net/net.hpp"

namespace minewall::proxy {

class ProxyState;

enum class UpstreamFailure { None, DnsFailure, Refused, Unreachable, Timeout, Loop, Tls };

struct UpstreamConnectResult {
    std::optional<UpstreamConnection> connection;
    UpstreamFailure failure = UpstreamFailure::None;
    std::string detail;  // operator-readable reason for the error page and logs

    int status() const;  // 502, 504 or 508 for failures
};

awaitable<UpstreamConnectResult> connect_upstream(const Authority& target,
                                                  std::chrono::milliseconds timeout,
                                                  ProxyState& state);

}  // namespace minewall::proxy
