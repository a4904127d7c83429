#pragma once
// RFC 6455 frame header parsing and payload unmasking: pure functions over bytes.
#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace minewall::policy {

enum class WebSocketOpcode : std::uint8_t {
    Continuation = 0x0,
    Text = 0x1,
    Binary = 0x2,
    Close = 0x8,
    Ping = 0x9,
    Pong = 0xA,
};

struct WebSocketFrameHeader {
    bool fin = false;
    bool rsv1 = false;  // set by permessage-deflate: the payload is compressed
    WebSocketOpcode opcode = WebSocketOpcode::Continuation;
    bool masked = false;
    std::array<std::uint8_t, 4> mask{};
    std::uint64_t payload_length = 0;
    std::size_t header_length = 0;  // bytes before the payload (2..14)
};

enum class FrameParseStatus { NeedMore, Ok, Invalid };

// Parses the header at the start of `bytes`. Invalid for reserved opcodes, RSV2/RSV3, oversized or
// fragmented control frames and a 64-bit length with its top bit set: the violations that mean
// the bytes are not a frame stream at all.
FrameParseStatus parse_websocket_frame_header(std::string_view bytes, WebSocketFrameHeader& out);

// XORs `payload` with the masking key; `offset` is the payload position of payload[0] (for a
// payload unmasked in pieces).
void unmask_websocket_payload(std::span<char> payload, const std::array<std::uint8_t, 4>& key,
                              std::uint64_t offset = 0);

struct WebSocketMessages {
    std::vector<std::string> complete;  // whole data messages (fragments joined, unmasked)
    std::string partial;                // the unfinished message at the end of the bytes, if any
    bool has_partial = false;
    bool compressed = false;  // a message used permessage-deflate (RSV1): not inspectable
    bool invalid = false;     // the bytes are not a WebSocket frame stream
};

// Splits the first bytes of one direction of a WebSocket stream into data messages (text and
// binary; control frames skipped). Stops after `max_messages` messages or `max_bytes` of payload.
WebSocketMessages read_websocket_messages(std::string_view stream, std::size_t max_messages = 4,
                                          std::size_t max_bytes = 64 * 1024);

}  // namespace minewall::policy
