#pragma once
// Looks at the first bytes a client sends into a tunnel (CONNECT or an upgraded WebSocket)
// before any of them is relayed: the SNI of a TLS ClientHello, or the bytes themselves
// (stratum and other mining protocols, pool messages in WebSocket frames).
#include <chrono>
#include <optional>
#include <string>

#include "policy/request_facts.hpp"
#include "policy/verdict.hpp"
#include "proxy/client_connection.hpp"

namespace minewall::policy {
class Snapshot;
}

namespace minewall::proxy {

// Most tunnelled protocols speak client-first (TLS, stratum, HTTP, WebSocket pool clients):
// wait this long for their first bytes, then relay without inspection (server-first ones).
inline constexpr std::chrono::milliseconds first_bytes_wait{2000};
inline constexpr std::size_t first_bytes_limit = 16 * 1024;

struct TunnelInspection {
    std::string protocol = "TUNNEL";  // SSL for TLS, TUNNEL otherwise
    std::string sni;
    bool client_hello = false;  // a complete TLS ClientHello is in client.buffer
    std::optional<policy::Verdict> verdict;
};

// Reads the client's first bytes into client.buffer (relayed later, untouched) and asks the
// policy about them. expect_tls: a TLS ClientHello is parsed for its SNI.
awaitable<TunnelInspection> inspect_tunnel_start(ClientConnection& client,
                                                 const policy::Snapshot& policy,
                                                 policy::RequestFacts facts, bool expect_tls,
                                                 std::chrono::milliseconds wait = first_bytes_wait);

}  // namespace minewall::proxy
