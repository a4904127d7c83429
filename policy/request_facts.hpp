#pragma once
// What the session knows about a transaction when it asks the policy for a verdict.
// Plain data; each stage fills what it has and leaves the rest empty.
#include <cstdint>
#include <string>
#include <string_view>

namespace minewall::policy {

enum class Stage {
    Connect,      // CONNECT host:port received (or SOCKS / transparent destination known)
    ClientHello,  // TLS ClientHello peeked: SNI and ALPN known
    Request,      // an HTTP request head (plain or inside a bumped tunnel)
    Response,     // an upstream response head and the first bytes of its body
    Tunnel,       // first bytes of a spliced / non-TLS tunnel or a WebSocket stream
};

struct RequestFacts {
    Stage stage = Stage::Request;
    std::string client_ip;
    std::string user;
    std::string host;  // CONNECT host, Host header or URL host (lower-case, no port)
    std::uint16_t port = 0;
    std::string sni;
    std::string method;
    std::string url;  // full URL with scheme: http://host/path, https://host/path
    std::string user_agent;
    std::string content_type;        // response stage
    std::string_view leading_bytes;  // body or tunnel bytes seen so far (not owned)
};

}  // namespace minewall::policy
