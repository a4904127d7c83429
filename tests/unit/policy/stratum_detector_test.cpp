#include "policy/stratum_detector.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace minewall::policy;

namespace {
ScanStatus status(std::string_view bytes) {
    return detect_mining_protocol(bytes).status;
}

std::string http_post(std::string_view body) {
    return "POST / HTTP/1.1\r\nHost: 127.0.0.1:8332\r\nContent-Type: application/json\r\n"
           "Content-Length: " +
           std::to_string(body.size()) + "\r\n\r\n" + std::string(body);
}
}  // namespace

TEST_CASE("detects bitcoin stratum subscribe and authorize") {
    auto d = detect_mining_protocol(
        "{\"id\": 1, \"method\": \"mining.subscribe\", \"params\": [\"cgminer/4.10.0\"]}\n");
    CHECK(d.status == ScanStatus::Match);
    CHECK(d.threat_name == "CoinMiner.Stratum");
    CHECK(d.evidence.find("mining.subscribe") != std::string::npos);
    CHECK(status("{\"params\": [\"slush.miner1\", \"password\"], \"id\": 2, \"method\": "
                 "\"mining.authorize\"}\n") == ScanStatus::Match);
}

TEST_CASE("detects EthereumStratum/1.0.0 subscribe") {
    auto d = detect_mining_protocol(
        "{\"id\": 1, \"method\": \"mining.subscribe\", \"params\": [\"MinerName/1.0.0\", "
        "\"EthereumStratum/1.0.0\"]}\n");
    CHECK(d.status == ScanStatus::Match);
    CHECK(d.evidence.find("EthereumStratum/1.0.0") != std::string::npos);
}

TEST_CASE("detects eth-proxy login and getwork methods") {
    CHECK(status("{\"id\":1,\"jsonrpc\":\"2.0\",\"method\":\"eth_submitLogin\",\"params\":"
                 "[\"0xb85150eb365e7df0941f0cf08235f987ba91506a\"],\"worker\":\"rig1\"}\n") ==
          ScanStatus::Match);
    CHECK(status("{\"id\":5,\"jsonrpc\":\"2.0\",\"method\":\"eth_getWork\",\"params\":[]}\n") ==
          ScanStatus::Match);
    CHECK(status("{\"id\":6,\"jsonrpc\":\"2.0\",\"method\":\"eth_submitHashrate\",\"params\":"
                 "[\"0x500000\","
                 "\"0x59daa26581d0acd1fce254fb7e85952f4c09d0915afd33d3886cd914bc7d283c\"]}\n") ==
          ScanStatus::Match);
}

TEST_CASE("detects xmrig login, submit and keepalived") {
    auto d = detect_mining_protocol(
        "{\"id\":1,\"jsonrpc\":\"2.0\",\"method\":\"login\",\"params\":{\"login\":"
        "\"44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98uNbr2VBBEt7f2wfn3RV"
        "GQBEP3A\","
        "\"pass\":\"x\",\"agent\":\"XMRig/6.21.0 (Linux x86_64) libuv/1.44.2 gcc/12.2.0\","
        "\"algo\":[\"rx/0\",\"cn/r\"]}}\n");
    CHECK(d.status == ScanStatus::Match);
    CHECK(d.evidence == "login (monero)");
    CHECK(status("{\"id\":2,\"jsonrpc\":\"2.0\",\"method\":\"submit\",\"params\":{\"id\":\"1\","
                 "\"job_id\":"
                 "\"abc\",\"nonce\":\"deadbeef\",\"result\":\"00ff\"}}\n") == ScanStatus::Match);
    CHECK(status("{\"id\":3,\"jsonrpc\":\"2.0\",\"method\":\"keepalived\",\"params\":{\"id\":\"1\"}"
                 "}\n") == ScanStatus::Match);
}

TEST_CASE("detects a pool's monero login answer carrying a job") {
    CHECK(status("{\"id\":1,\"jsonrpc\":\"2.0\",\"error\":null,\"result\":{\"id\":\"abc\",\"job\":"
                 "{\"blob\":\"0707d5efb9d205\",\"job_id\":\"q1\",\"target\":\"b88d0600\"},"
                 "\"status\":\"OK\"}}\n") == ScanStatus::Match);
}

TEST_CASE("detects getwork and getblocktemplate over HTTP POST") {
    auto d = detect_mining_protocol(http_post("{\"method\":\"getwork\",\"params\":[],\"id\":0}"));
    CHECK(d.status == ScanStatus::Match);
    CHECK(d.threat_name == "CoinMiner.GetWork");
    CHECK(d.evidence.find("HTTP POST") != std::string::npos);
    CHECK(status(http_post("{\"jsonrpc\":\"1.0\",\"id\":\"t\",\"method\":\"getblocktemplate\","
                           "\"params\":[{\"rules\":[\"segwit\"]}]}")) == ScanStatus::Match);
    CHECK(status(
              "POST / HTTP/1.1\r\nHost: pool\r\nX-Mining-Extensions: midstate rollntime\r\n\r\n") ==
          ScanStatus::Match);
    CHECK(detect_mining_json_body("{\"method\":\"getwork\",\"params\":[],\"id\":0}").status ==
          ScanStatus::Match);
}

TEST_CASE("ordinary JSON-RPC is not mining") {
    CHECK(status("{\"jsonrpc\":\"2.0\",\"method\":\"eth_blockNumber\",\"params\":[],\"id\":1}\n") ==
          ScanStatus::NoMatch);
    CHECK(status("{\"jsonrpc\":\"2.0\",\"method\":\"eth_getBalance\",\"params\":["
                 "\"0x407d73d8a49eeb85d32cf465507dd71d507100c1\",\"latest\"],\"id\":1}\n") ==
          ScanStatus::NoMatch);
    CHECK(status("{\"jsonrpc\":\"2.0\",\"method\":\"login\",\"params\":{\"username\":\"alice\","
                 "\"password\":\"secret\"},\"id\":1}\n") == ScanStatus::NoMatch);
    CHECK(status("{\"jsonrpc\":\"2.0\",\"method\":\"submit\",\"params\":{\"form\":\"contact\"},"
                 "\"id\":1}\n") == ScanStatus::NoMatch);
    CHECK(status(http_post(
              "{\"jsonrpc\":\"2.0\",\"method\":\"eth_blockNumber\",\"params\":[],\"id\":1}")) ==
          ScanStatus::NoMatch);
}

TEST_CASE("ordinary traffic is not stratum") {
    CHECK(status("GET / HTTP/1.1\r\nHost: example.com\r\n\r\n") == ScanStatus::NoMatch);
    CHECK(status("SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n") == ScanStatus::NoMatch);
    CHECK(status(std::string_view("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11)) ==
          ScanStatus::NoMatch);
    CHECK(status("{\"id\":1} trailing garbage\n") == ScanStatus::NoMatch);
    CHECK(status("{not json at all}\n") == ScanStatus::NoMatch);
}

TEST_CASE("a partial first line asks for more bytes") {
    CHECK(status("") == ScanStatus::NeedMore);
    CHECK(status("{\"id\": 1, \"method\": \"mining.subs") == ScanStatus::NeedMore);
    CHECK(status("PO") == ScanStatus::NeedMore);
    CHECK(status("POST / HTTP/1.1\r\nHost: x\r\n") == ScanStatus::NeedMore);
    // Over the line limit without a newline: give up rather than buffer forever.
    std::string huge = "{\"id\":1,\"pad\":\"" + std::string(kMaxStratumLine + 10, 'a');
    CHECK(status(huge) == ScanStatus::NoMatch);
}

TEST_CASE("examines the following lines when the first is not mining") {
    CHECK(status("{\"id\":0,\"method\":\"client.hello\",\"params\":[]}\n"
                 "{\"id\":1,\"method\":\"mining.subscribe\",\"params\":[]}\n") ==
          ScanStatus::Match);
}

TEST_CASE("deeply nested JSON is rejected without parsing") {
    std::string deep(5000, '[');
    CHECK(status(deep + "\n") == ScanStatus::NoMatch);
}

TEST_CASE("only JSON white space may surround a stratum line") {
    const std::string login =
        "{\"id\":1,\"method\":\"login\",\"params\":{\"login\":\"w\","
        "\"pass\":\"x\",\"agent\":\"XMRig/6.21.0\"}}";
    CHECK(status(" \t\r\n" + login + " \r\n") == ScanStatus::Match);
    CHECK(status("\r\n\r\n" + login + "\n") == ScanStatus::Match);
    // Form feed and vertical tab are not JSON white space: no JSON text starts there.
    CHECK(status("\f" + login + "\n") == ScanStatus::NoMatch);
    CHECK(status("\v" + login + "\n") == ScanStatus::NoMatch);
}

TEST_CASE("getwork POST headers are found whatever their case and padding") {
    CHECK(status("POST / HTTP/1.1\r\nHost: x\r\nx-mining-EXTENSIONS:  midstate\r\n\r\n") ==
          ScanStatus::Match);
    std::string body = "{\"method\":\"getwork\",\"params\":[],\"id\":0}";
    CHECK(status("POST / HTTP/1.1\r\ncontent-length:\t" + std::to_string(body.size()) +
                 " \r\n\r\n" + body + "trailing bytes beyond the length") == ScanStatus::Match);
}
