#pragma once
// Bumping a CONNECT tunnel whose client sent a TLS ClientHello: a verified TLS connection to
// the origin first, then a TLS server toward the client with a leaf minted for the name it
// asked for, then the same HTTP/1.1 pipeline as plain requests, seen as https://host/path.
// An origin whose certificate fails verification is not hidden: every request inside gets a
// 502 page naming the reason.
#include <optional>
#include <string>

#include "proxy/client_connection.hpp"
#include "proxy/request_target.hpp"
#include "proxy/upstream_pool.hpp"
#include "weblog/web_record.hpp"

namespace minewall::proxy {

class TlsInterception;

// The name a bumped connection is minted for and verified against: the SNI, else the CONNECT
// host. An SNI that is no host name (some clients send "host:port") falls back to the CONNECT
// host rather than failing the tunnel with nothing the user can read.
std::string bump_name(const std::string& connect_host, const std::string& sni);

// upstream: the TCP connection to the origin, or nullopt to serve block pages only (the
// policy blocked the host: every request inside is answered by the block page).
awaitable<void> bump_tunnel(ClientConnection& client, TlsInterception& tls,
                            const Authority& authority, const std::string& sni,
                            std::optional<UpstreamConnection> upstream,
                            weblog::WebRecord& connect_record);

}  // namespace minewall::proxy
