#pragma once
// A bidirectional byte relay between two sockets with one idle timeout shared by both
// directions. A FIN in one direction is passed on as a half-close; the other keeps flowing.
#include <chrono>
#include <cstdint>
#include <string>

#include "proxy/net/byte_stream.hpp"
#include "proxy/net/net.hpp"

namespace minewall::proxy {

struct TunnelStats {
    std::uint64_t client_to_server = 0;
    std::uint64_t server_to_client = 0;
    bool idle_timeout = false;
    std::string error;  // first unexpected error, empty on a clean close
};

awaitable<TunnelStats> relay_tunnel(tcp::socket& client, tcp::socket& server,
                                    std::chrono::milliseconds idle_timeout);

// The same over streams that may be TLS (a WebSocket inside a bumped tunnel).
awaitable<TunnelStats> relay_streams(ByteStream& client, ByteStream& server,
                                     std::chrono::milliseconds idle_timeout);

}  // namespace minewall::proxy
