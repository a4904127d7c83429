#pragma once
// Bumping a CONNECT tunnel whose client sent a TLS ClientHello: a verified TLS connection to
// the origin first, then a TLS server toward the client with a leaf minted for the name it
// asked for, then the same HTTP/1.1 pipeline as plain requests, seen as https://host/path.
// An origin whose certificate fails verification is not hidden: every request inside gets a
// 502 page naming the reason.
#include <optional>
#include <string>

#include "proxy/forward/upstream_pool.hpp"
#include "proxy/http/request_target.hpp"
#include "proxy/session/client_connection.hpp"
#include "weblog/web_record.hpp"

namespace minewall::proxy {

class TlsInterception;

// The name a bumped connection is minted for and verified against: the SNI, else the CONNECT
// host. An SNI that is no host name (some clients send "host:port") falls back to the CONNECT
// host rather than failing the tunnel with nothing the user can read.
std::string bump_name(const std::string& connect_host, const std::string& sni);

// Where the origin side of a bump starts.
struct BumpOrigin {
    // The TCP connection to the origin opened before the 200, or none: the bump then takes an
    // idle verified TLS connection from the worker's pool or connects itself (a failure is a
    // 502 page inside TLS).
    std::optional<UpstreamConnection> tcp;
    bool blocked = false;  // the policy blocked the host: every request gets the block page
};

// The worker-pool key of idle origin TLS connections for a bump minted for `name` toward
// `origin`; connections opened without certificate checks (`verified` false: a
// tls.verify_exceptions origin, see upstream_verified) have keys of their own, so a reload that
// ends an exception never reuses one of them. handle_connect looks there before opening a TCP
// connection of its own.
std::string bump_pool_key(const std::string& name, const Authority& origin, bool verified);

// name: bump_name(authority.host, sni), which the caller has already worked out.
awaitable<void> bump_tunnel(ClientConnection& client, TlsInterception& tls,
                            const Authority& authority, const std::string& name,
                            const std::string& sni, BumpOrigin origin,
                            weblog::WebRecord& connect_record);

}  // namespace minewall::proxy
