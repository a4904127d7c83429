#pragma once
// Forwards one HTTP request to its origin and the response back, streaming both bodies.
// Serves plain proxy requests (absolute-form) and requests inside a bumped TLS tunnel
// (origin-form, the tunnel's authority).
#include "proxy/http/request_target.hpp"
#include "proxy/net/net.hpp"
#include "proxy/session/client_connection.hpp"

namespace minewall::proxy {

class UpstreamSource;
using RequestParser = http::request_parser<http::buffer_body>;

struct ForwardContext {
    UpstreamSource& upstream;
    const Authority* tunnel = nullptr;  // set inside a bumped CONNECT: requests are https
};

// The request head has been read into parser (head_bytes long). Returns true when the client
// connection may carry another request.
awaitable<bool> forward_http_request(ClientConnection& client, RequestParser& parser,
                                     std::size_t head_bytes, const ForwardContext& context);

}  // namespace minewall::proxy
