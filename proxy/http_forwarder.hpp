#pragma once
// Forwards one plain-HTTP request (absolute-form) to its origin and the response back,
// streaming both bodies, reusing pooled origin connections.
#include "proxy/client_connection.hpp"
#include "proxy/net.hpp"

namespace minewall::proxy {

using RequestParser = http::request_parser<http::buffer_body>;

// The request head has been read into parser (head_bytes long). Returns true when the client
// connection may carry another request.
awaitable<bool> forward_http_request(ClientConnection& client, RequestParser& parser,
                                     std::size_t head_bytes);

}  // namespace minewall::proxy
