#pragma once
// Mining protocols in the first bytes a client sends through a tunnel (or a plain HTTP POST):
// newline-delimited JSON-RPC stratum (Bitcoin, EthereumStratum/1.0.0, eth-proxy, Monero/xmrig)
// and getwork/getblocktemplate JSON-RPC over HTTP POST. Pure function over bytes.
#include <string_view>

#include "policy/detection.hpp"

namespace minewall::policy {

// `leading_bytes`: everything seen so far from the client. NeedMore while the first JSON line
// (or the HTTP head/body) is incomplete and still under the line limit.
Detection detect_mining_protocol(std::string_view leading_bytes);

// A JSON-RPC body (the body of an HTTP POST, without the head).
Detection detect_mining_json_body(std::string_view body);

inline constexpr std::size_t kMaxStratumLine = 16 * 1024;
inline constexpr int kStratumLinesExamined = 3;

}  // namespace minewall::policy
