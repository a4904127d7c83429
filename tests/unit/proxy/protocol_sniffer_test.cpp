#include "proxy/sniff/protocol_sniffer.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace minewall::sniff;

namespace {
FirstBytesKind sniff(const std::string& text) {
    return sniff_first_bytes(
        std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
}
FirstBytesKind sniff(std::vector<std::uint8_t> bytes) {
    return sniff_first_bytes(bytes);
}
}  // namespace

TEST_CASE("sniffs a TLS handshake record from three bytes") {
    CHECK(sniff(std::vector<std::uint8_t>{0x16, 0x03, 0x01}) == FirstBytesKind::tls);
    CHECK(sniff(std::vector<std::uint8_t>{0x16, 0x03}) == FirstBytesKind::need_more);
    CHECK(sniff(std::vector<std::uint8_t>{0x16, 0x04}) == FirstBytesKind::other);
    CHECK(sniff(std::vector<std::uint8_t>{0x16, 0x03, 0x07}) == FirstBytesKind::other);
}

TEST_CASE("sniffs HTTP methods and the HTTP/2 preface") {
    CHECK(sniff("GET / HTTP/1.1\r\n") == FirstBytesKind::http);
    CHECK(sniff("CONNECT pool.example:443 HTTP/1.1\r\n") == FirstBytesKind::http);
    CHECK(sniff("OPTIONS ") == FirstBytesKind::http);
    CHECK(sniff("PRI * HTTP/2.0\r\n") == FirstBytesKind::http);
    CHECK(sniff("CONN") == FirstBytesKind::need_more);
    CHECK(sniff("P") == FirstBytesKind::need_more);
    CHECK(sniff("") == FirstBytesKind::need_more);
}

TEST_CASE("sniffs stratum, ssh and lower-case methods as other") {
    CHECK(sniff("{\"id\":1,\"method\":\"mining.subscribe\"}") == FirstBytesKind::other);
    CHECK(sniff("SSH-2.0-OpenSSH_9.2") == FirstBytesKind::other);
    CHECK(sniff("get / HTTP/1.1") == FirstBytesKind::other);
    CHECK(sniff("GETX") == FirstBytesKind::other);
}
