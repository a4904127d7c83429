#pragma once
// Looks at the first bytes a client sends into a tunnel (CONNECT or an upgraded WebSocket)
// before any of them is relayed: the SNI of a TLS ClientHello, or the bytes themselves
// (stratum and other mining protocols, pool messages in WebSocket frames).
#include <chrono>
#include <optional>
#include <string>

#include "policy/request_facts.hpp"
#include "policy/verdict.hpp"
#include "proxy/session/client_connection.hpp"

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
    bool http = false;          // decrypted: the bytes start an HTTP request
    std::optional<policy::Verdict> verdict;
};

// What the first bytes are expected to be, which decides how long to read before asking.
enum class TunnelStart {
    tls_or_other,      // a CONNECT tunnel: a TLS ClientHello (parsed for its SNI) or anything
    decrypted,         // the first plaintext of a bumped tunnel: HTTP (not inspected here) or
                       // anything else, e.g. stratum spoken over TLS to a pool's port 443
    websocket_frames,  // an upgraded WebSocket stream: one read decides
};

// Reads the client's first bytes into client.buffer (relayed or parsed later, untouched) and
// asks the policy about them.
awaitable<TunnelInspection> inspect_tunnel_start(ClientConnection& client,
                                                 const policy::Snapshot& policy,
                                                 policy::RequestFacts facts, TunnelStart start,
                                                 std::chrono::milliseconds wait = first_bytes_wait);

}  // namespace minewall::proxy
