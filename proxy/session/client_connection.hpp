#pragma once
// What every stage of a session needs about the client connection it serves.
#include <cstdint>
#include <memory>
#include <string>

#include "config/config.hpp"
#include "proxy/net/byte_stream.hpp"

namespace minewall::proxy {

class Worker;

struct ClientConnection {
    std::unique_ptr<ByteStream> stream;  // TCP, or TLS once bumped
    beast::flat_buffer buffer;           // bytes read from the client and not yet consumed
    Worker& worker;
    std::shared_ptr<const config::Config> config;  // snapshot taken when the client connected
    std::string id;                                // connection id for the operational log
    std::string peer_ip;
    std::uint16_t peer_port = 0;

    // Who the current request is attributed to (set per request by the session).
    std::string client_ip;  // peer_ip, or the client a trusted forwarder names
    std::string login;      // authenticated proxy user, else the address map's user
    std::string department, device_owner, device_hostname, location;

    // Set once the connection is bumped: the name the client asked for and TLS versions.
    std::string tls_sni;
    std::string client_tls_version;
    std::string server_tls_version;
    std::string alpn;  // negotiated with the client
};

}  // namespace minewall::proxy
