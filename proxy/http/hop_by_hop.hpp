#pragma once
// Which request/response headers belong to one connection only and must not be forwarded
// (RFC 9110 §7.6.1): the fixed list plus every name listed in Connection.
#include <string>
#include <string_view>
#include <vector>

namespace minewall::proxy {

// Lower-case option names from one or more Connection header values ("close, X-Foo").
std::vector<std::string> connection_option_names(std::string_view connection_value);

// True for Connection, Proxy-Connection, Keep-Alive, TE, Trailer, Upgrade, Proxy-Authorization,
// Proxy-Authenticate and any name in connection_options.
bool is_hop_by_hop_header(std::string_view name,
                          const std::vector<std::string>& connection_options);

}  // namespace minewall::proxy
