#include <doctest/doctest.h>

#include <string>

#include "policy/websocket_frame.hpp"
#include "policy/websocket_pool_detector.hpp"

using namespace minewall::policy;

namespace {
// A client frame as a browser sends it: FIN, opcode, MASK bit, masked payload.
std::string client_frame(std::string_view payload, std::uint8_t opcode = 0x1, bool fin = true) {
    const std::uint8_t key[4] = {0x37, 0xfa, 0x21, 0x3d};
    std::string f;
    f.push_back(static_cast<char>((fin ? 0x80 : 0x00) | opcode));
    if (payload.size() < 126) {
        f.push_back(static_cast<char>(0x80 | payload.size()));
    } else {
        f.push_back(static_cast<char>(0x80 | 126));
        f.push_back(static_cast<char>(payload.size() >> 8));
        f.push_back(static_cast<char>(payload.size() & 0xff));
    }
    for (auto k : key)
        f.push_back(static_cast<char>(k));
    for (std::size_t i = 0; i < payload.size(); ++i)
        f.push_back(static_cast<char>(payload[i] ^ key[i % 4]));
    return f;
}
}  // namespace

TEST_CASE("parses and unmasks the RFC 6455 example frame") {
    // RFC 6455 section 5.7: a masked text frame containing "Hello".
    std::string frame("\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58", 11);
    WebSocketFrameHeader h;
    REQUIRE(parse_websocket_frame_header(frame, h) == FrameParseStatus::Ok);
    CHECK(h.fin);
    CHECK(h.opcode == WebSocketOpcode::Text);
    CHECK(h.masked);
    CHECK(h.payload_length == 5);
    CHECK(h.header_length == 6);
    std::string payload = frame.substr(6);
    unmask_websocket_payload(payload, h.mask);
    CHECK(payload == "Hello");
}

TEST_CASE("frame header needs more bytes for extended lengths and rejects reserved opcodes") {
    WebSocketFrameHeader h;
    CHECK(parse_websocket_frame_header(std::string("\x81", 1), h) == FrameParseStatus::NeedMore);
    CHECK(parse_websocket_frame_header(std::string("\x81\xfe\x01", 3), h) ==
          FrameParseStatus::NeedMore);
    CHECK(parse_websocket_frame_header(std::string("\x83\x00", 2), h) == FrameParseStatus::Invalid);
    CHECK(parse_websocket_frame_header(std::string("\x09\x00", 2), h) ==
          FrameParseStatus::Invalid);  // fragmented ping
}

TEST_CASE("detects a CoinHive-style auth message in a client frame") {
    auto frame = client_frame(
        "{\"type\":\"auth\",\"params\":{\"site_key\":\"QkRjWrCMxRAKOsTnhVbgj0XsMfJxgjNY\",\"type\":"
        "\"anonymous\",\"user\":null,\"goal\":0}}");
    auto d = detect_websocket_pool(frame);
    CHECK(d.status == ScanStatus::Match);
    CHECK(d.threat_name == "CoinMiner.WebSocket.Pool");
    CHECK(d.evidence.find("type=auth") != std::string::npos);
}

TEST_CASE("detects a submit split over fragmented frames") {
    std::string msg =
        "{\"type\":\"submit\",\"params\":{\"job_id\":\"ab12\",\"nonce\":\"0a1b2c3d\",\"result\":"
        "\"ff00\"}}";
    auto frames =
        client_frame(msg.substr(0, 20), 0x1, false) + client_frame(msg.substr(20), 0x0, true);
    CHECK(detect_websocket_pool(frames).status == ScanStatus::Match);
}

TEST_CASE("detects webminerpool handshake and stratum over websocket") {
    CHECK(detect_websocket_pool_message(
              "{\"identifier\":\"handshake\",\"pool\":\"moneroocean.stream\","
              "\"login\":\"44AFFq5kSiGBoZ4NMDwYtN18obc8\",\"password\":\"\","
              "\"userid\":\"\",\"version\":7}")
              .status == ScanStatus::Match);
    CHECK(detect_websocket_pool_message("{\"id\":1,\"method\":\"login\",\"params\":{\"login\":"
                                        "\"w\",\"pass\":\"x\",\"agent\":\"webminer/1.0\"}}\n")
              .status == ScanStatus::Match);
}

TEST_CASE("ordinary websocket messages are not pool traffic") {
    CHECK(
        detect_websocket_pool(
            client_frame("{\"type\":\"subscribe\",\"channel\":\"ticker\",\"symbol\":\"XMR-USD\"}"))
            .status == ScanStatus::NoMatch);
    CHECK(detect_websocket_pool(client_frame("{\"type\":\"auth\",\"token\":\"eyJhbGciOi\"}"))
              .status == ScanStatus::NoMatch);
    CHECK(detect_websocket_pool(client_frame("hello chat")).status == ScanStatus::NoMatch);
    CHECK(detect_websocket_pool("GET /chat HTTP/1.1\r\n").status == ScanStatus::NoMatch);
}

TEST_CASE("a partial first frame asks for more bytes") {
    auto frame = client_frame(
        "{\"type\":\"auth\",\"params\":{\"site_key\":\"QkRjWrCMxRAKOsTnhVbgj0XsMfJxgjNY\"}}");
    CHECK(detect_websocket_pool(frame.substr(0, 1)).status == ScanStatus::NeedMore);
    CHECK(detect_websocket_pool(frame.substr(0, 20)).status == ScanStatus::NeedMore);
}
