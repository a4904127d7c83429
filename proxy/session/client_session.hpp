#pragma once
// One client connection, as one coroutine that reads as the pipeline: admit the client,
// read a request head, then CONNECT tunnel or forward, repeat while kept alive.
#include "proxy/net/net.hpp"

namespace minewall::proxy {

class Worker;
class UpstreamSource;
struct ClientConnection;
struct Authority;

awaitable<void> run_client_session(tcp::socket socket, Worker& worker);

// Serves requests on a client connection until it closes or may not be kept alive: proxy
// requests (absolute-form, CONNECT) when tunnel is null, else the origin-form requests of a
// bumped tunnel to that authority.
awaitable<void> serve_requests(ClientConnection& client, UpstreamSource& upstream,
                               const Authority* tunnel);

}  // namespace minewall::proxy
