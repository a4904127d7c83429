#include <doctest/doctest.h>

#include "tests/support/minewall_process.hpp"
#include "tests/support/origin_server.hpp"
#include "tests/support/raw_client.hpp"

using namespace minewall::testing;

namespace {

std::string status_line(const std::string& response) {
    return response.substr(0, response.find("\r\n"));
}

}  // namespace

TEST_CASE("refuses Content-Length together with Transfer-Encoding (request smuggling)") {
    OriginServer origin;
    MinewallProcess proxy("log_level: info\n");
    auto host = "127.0.0.1:" + std::to_string(origin.port());
    auto r =
        raw_exchange(proxy.port(), "POST http://" + host + "/upload HTTP/1.1\r\nHost: " + host +
                                       "\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n"
                                       "0\r\n\r\nGET http://" +
                                       host + "/hello HTTP/1.1\r\nHost: " + host + "\r\n\r\n");
    CHECK(status_line(r.response) == "HTTP/1.1 400 Bad Request");
    CHECK(r.closed_by_peer);
    CHECK(r.response.find("hello from origin") == std::string::npos);
    CHECK(origin.connections_accepted() == 0);
}

TEST_CASE("refuses two different Content-Length values") {
    OriginServer origin;
    MinewallProcess proxy("log_level: info\n");
    auto host = "127.0.0.1:" + std::to_string(origin.port());
    auto r = raw_exchange(proxy.port(), "POST http://" + host +
                                            "/upload HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n"
                                            "Content-Length: 40\r\n\r\nabc");
    CHECK(status_line(r.response) == "HTTP/1.1 400 Bad Request");
    CHECK(origin.connections_accepted() == 0);
}

TEST_CASE("answers an invalid chunk size with 400 and closes") {
    OriginServer origin;
    MinewallProcess proxy("log_level: info\n");
    auto host = "127.0.0.1:" + std::to_string(origin.port());
    auto r =
        raw_exchange(proxy.port(), "POST http://" + host +
                                       "/upload HTTP/1.1\r\nHost: x\r\n"
                                       "Transfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n");
    CHECK(status_line(r.response) == "HTTP/1.1 400 Bad Request");
    CHECK(r.response.find("malformed request body") != std::string::npos);
    CHECK(r.closed_by_peer);
    CHECK(origin.connections_accepted() == 0);
}

TEST_CASE("answers a garbage request line with 400") {
    MinewallProcess proxy("log_level: info\n");
    auto r = raw_exchange(proxy.port(), "HELLO\r\n\r\n");
    CHECK(status_line(r.response) == "HTTP/1.1 400 Bad Request");
    CHECK(r.closed_by_peer);
}

TEST_CASE("answers oversize request headers with 431") {
    OriginServer origin;
    MinewallProcess proxy("limits:\n  max_header_bytes: 8192\n");
    auto r = curl({"-x", proxy.proxy_url(), "-w", "%{http_code}", "-o", "/dev/null", "-H",
                   "X-Big: " + std::string(10000, 'a'), origin.url("/hello")});
    CHECK(r.out == "431");
    CHECK(origin.connections_accepted() == 0);
}

TEST_CASE("answers a request head that stalls with 408") {
    MinewallProcess proxy("client:\n  header_timeout: 300ms\n");
    auto r = raw_exchange(proxy.port(), "GET http://127.0.0.1/ HTTP/1.1\r\nHost: 127",
                          std::chrono::seconds(5));
    CHECK(status_line(r.response) == "HTTP/1.1 408 Request Timeout");
    CHECK(r.closed_by_peer);
}
