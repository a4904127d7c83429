#include "policy/websocket_frame.hpp"

namespace minewall::policy {

FrameParseStatus parse_websocket_frame_header(std::string_view bytes, WebSocketFrameHeader& out) {
    if (bytes.size() < 2) return FrameParseStatus::NeedMore;
    auto b0 = static_cast<std::uint8_t>(bytes[0]);
    auto b1 = static_cast<std::uint8_t>(bytes[1]);
    out = WebSocketFrameHeader{};
    out.fin = (b0 & 0x80) != 0;
    out.rsv1 = (b0 & 0x40) != 0;
    if ((b0 & 0x30) != 0) return FrameParseStatus::Invalid;  // RSV2/RSV3: no extension uses them
    std::uint8_t opcode = b0 & 0x0f;
    bool control = (opcode & 0x08) != 0;
    if (!(opcode <= 0x2 || (opcode >= 0x8 && opcode <= 0xA))) return FrameParseStatus::Invalid;
    out.opcode = static_cast<WebSocketOpcode>(opcode);
    out.masked = (b1 & 0x80) != 0;
    std::uint64_t len = b1 & 0x7f;
    std::size_t pos = 2;
    if (len == 126) {
        if (bytes.size() < pos + 2) return FrameParseStatus::NeedMore;
        len = (static_cast<std::uint64_t>(static_cast<std::uint8_t>(bytes[2])) << 8) |
              static_cast<std::uint8_t>(bytes[3]);
        pos += 2;
    } else if (len == 127) {
        if (bytes.size() < pos + 8) return FrameParseStatus::NeedMore;
        len = 0;
        for (int i = 0; i < 8; ++i)
            len = (len << 8) | static_cast<std::uint8_t>(bytes[2 + i]);
        if (len >> 63) return FrameParseStatus::Invalid;  // the most significant bit must be 0
        pos += 8;
    }
    if (control && (len > 125 || !out.fin)) return FrameParseStatus::Invalid;
    if (out.masked) {
        if (bytes.size() < pos + 4) return FrameParseStatus::NeedMore;
        for (int i = 0; i < 4; ++i)
            out.mask[i] = static_cast<std::uint8_t>(bytes[pos + i]);
        pos += 4;
    }
    out.payload_length = len;
    out.header_length = pos;
    return FrameParseStatus::Ok;
}

void unmask_websocket_payload(std::span<char> payload, const std::array<std::uint8_t, 4>& key,
                              std::uint64_t offset) {
    for (std::size_t i = 0; i < payload.size(); ++i)
        payload[i] =
            static_cast<char>(static_cast<std::uint8_t>(payload[i]) ^ key[(offset + i) & 3]);
}

WebSocketMessages read_websocket_messages(std::string_view stream, std::size_t max_messages,
                                          std::size_t max_bytes) {
    WebSocketMessages out;
    std::string current;
    bool in_message = false;
    bool current_compressed = false;
    std::size_t total = 0;
    while (!stream.empty() && out.complete.size() < max_messages && total < max_bytes) {
        WebSocketFrameHeader h;
        auto st = parse_websocket_frame_header(stream, h);
        if (st == FrameParseStatus::Invalid) {
            out.invalid = true;
            return out;
        }
        if (st == FrameParseStatus::NeedMore) break;
        bool control = (static_cast<std::uint8_t>(h.opcode) & 0x08) != 0;
        bool data_start = h.opcode == WebSocketOpcode::Text || h.opcode == WebSocketOpcode::Binary;
        // A continuation must follow an unfinished message, and a new message must not start
        // inside one: otherwise this is not a frame stream.
        if ((h.opcode == WebSocketOpcode::Continuation && !in_message) ||
            (data_start && in_message)) {
            out.invalid = true;
            return out;
        }
        stream.remove_prefix(h.header_length);
        std::size_t available =
            static_cast<std::size_t>(std::min<std::uint64_t>(h.payload_length, stream.size()));
        std::size_t room = max_bytes - total;
        std::size_t take = std::min(available, room);
        if (control) {
            if (available < h.payload_length) break;
            stream.remove_prefix(available);
            continue;
        }
        if (data_start) {
            in_message = true;
            current.clear();
            current_compressed = h.rsv1;
        }
        std::size_t before = current.size();
        current.append(stream.substr(0, take));
        if (h.masked)
            unmask_websocket_payload(std::span<char>(current.data() + before, take), h.mask);
        total += take;
        stream.remove_prefix(available);
        if (take < h.payload_length) break;  // frame continues beyond what we have / may read
        if (h.fin) {
            if (current_compressed)
                out.compressed = true;
            else
                out.complete.push_back(std::move(current));
            current.clear();
            in_message = false;
        }
    }
    if (in_message) {
        if (current_compressed)
            out.compressed = true;
        else {
            out.partial = std::move(current);
            out.has_partial = true;
        }
    }
    return out;
}

}  // namespace minewall::policy
