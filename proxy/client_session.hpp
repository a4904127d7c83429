#pragma once
// One client connection, as one coroutine that reads as the pipeline: admit the client,
// read a request head, then CONNECT tunnel or forward, repeat while kept alive.
#include "proxy/net.hpp"

namespace minewall::proxy {

class Worker;

awaitable<void> run_client_session(tcp::socket socket, Worker& worker);

}  // namespace minewall::proxy
