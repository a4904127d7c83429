#pragma once
// Mining-pool protocol inside WebSocket messages: the browser-miner dialects (CoinHive-style
// {"type":"auth","params":{"site_key":...}}, {"type":"submit",...}; webminerpool
// {"identifier":"handshake",...}) and stratum JSON carried over a WebSocket proxy.
#include <string_view>

#include "policy/detection.hpp"

namespace minewall::policy {

// One already-unmasked message payload.
Detection detect_websocket_pool_message(std::string_view payload);

// The first raw bytes of one direction of a WebSocket connection (after the 101 response):
// frames are parsed and unmasked here. NeedMore until the first message can be judged.
Detection detect_websocket_pool(std::string_view frames);

}  // namespace minewall::policy
