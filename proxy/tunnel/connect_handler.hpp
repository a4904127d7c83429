#pragma once
// CONNECT host:port: the port gate, the origin connection, "200 Connection established",
// then a byte tunnel.
#include "proxy/forward/http_forwarder.hpp"
#include "proxy/session/client_connection.hpp"

namespace minewall::proxy {

// Takes over the connection; it is closed when this returns.
awaitable<void> handle_connect(ClientConnection& client, RequestParser& parser,
                               std::size_t head_bytes);

// The CONNECT port gate (pure).
bool connect_port_allowed(std::uint16_t port, const std::vector<std::uint16_t>& allowed);

}  // namespace minewall::proxy
