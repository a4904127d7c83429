#include <doctest/doctest.h>

#include "tests/support/eventually.hpp"
#include "tests/support/minewall_process.hpp"
#include "tests/support/origin_server.hpp"
#include "tests/support/raw_client.hpp"

using namespace minewall::testing;

namespace {

const char* const plain_config = "log_level: debug\n";

}  // namespace

TEST_CASE("forwards a GET and returns the origin's body") {
    OriginServer origin;
    MinewallProcess proxy(plain_config);
    auto r = curl({"-x", proxy.proxy_url(), origin.url("/hello")});
    CHECK(r.exit_code == 0);
    CHECK(r.out == "hello from origin\n");
}

TEST_CASE("strips hop-by-hop headers and adds Via toward the origin") {
    OriginServer origin;
    MinewallProcess proxy(plain_config);
    auto r = curl({"-x", proxy.proxy_url(), "-H", "Connection: keep-alive, X-Secret-Hop", "-H",
                   "X-Secret-Hop: 1", "-H", "Keep-Alive: timeout=5", "-H", "TE: trailers", "-H",
                   "X-End-To-End: kept", "-H",
                   "Proxy-Authorization: Basic Zm9vOmJhcg==", origin.url("/headers")});
    REQUIRE(r.exit_code == 0);
    CHECK(r.out.find("GET /headers HTTP/1.1") == 0);  // origin-form toward the origin
    CHECK(r.out.find("X-End-To-End: kept") != std::string::npos);
    CHECK(r.out.find("X-Secret-Hop") == std::string::npos);
    CHECK(r.out.find("Keep-Alive") == std::string::npos);
    CHECK(r.out.find("TE:") == std::string::npos);
    CHECK(r.out.find("Proxy-Authorization") == std::string::npos);
    CHECK(r.out.find("Proxy-Connection") == std::string::npos);
    CHECK(r.out.find("Via: 1.1 minewall-") != std::string::npos);
}

TEST_CASE("streams a 10 MiB POST body intact") {
    OriginServer origin;
    MinewallProcess proxy(plain_config);
    auto body = OriginServer::big_body(10 * 1024 * 1024);
    auto file = proxy.dir().write("upload.bin", body);
    auto r = curl({"-x", proxy.proxy_url(), "--data-binary", "@" + file, "-H",
                   "Content-Type: application/octet-stream", origin.url("/upload")});
    CHECK(r.exit_code == 0);
    CHECK(r.out == "bytes=" + std::to_string(body.size()) +
                       " fnv=" + std::to_string(OriginServer::fnv1a(body)));
}

TEST_CASE("streams a chunked POST body and answers Expect: 100-continue") {
    OriginServer origin;
    MinewallProcess proxy(plain_config);
    auto body = OriginServer::big_body(300 * 1024);
    auto file = proxy.dir().write("upload.bin", body);
    auto r =
        curl({"-x", proxy.proxy_url(), "--data-binary", "@" + file, "-H",
              "Transfer-Encoding: chunked", "-H", "Expect: 100-continue", origin.url("/upload")});
    CHECK(r.exit_code == 0);
    CHECK(r.out == "bytes=" + std::to_string(body.size()) +
                       " fnv=" + std::to_string(OriginServer::fnv1a(body)));
}

TEST_CASE("the client gets 100 Continue before it sends the body") {
    OriginServer origin;
    MinewallProcess proxy(plain_config);
    const auto host = "127.0.0.1:" + std::to_string(origin.port());
    const std::string body = "the body, sent only after 100 Continue";
    RawConnection client(proxy.port());
    client.send("POST http://" + host + "/upload HTTP/1.1\r\nHost: " + host +
                "\r\nExpect: 100-continue\r\nContent-Length: " + std::to_string(body.size()) +
                "\r\n\r\n");
    // A client that waits for the interim answer (curl gives up waiting after 1 s and sends
    // anyway, which would hide a proxy that swallows it): nothing else can arrive before it.
    auto& interim = client.read_until("\r\n\r\n", std::chrono::seconds(5));
    REQUIRE(interim.rfind("HTTP/1.1 100 Continue\r\n", 0) == 0);
    client.send(body);
    auto& all = client.read_until("fnv=" + std::to_string(OriginServer::fnv1a(body)));
    CHECK(all.find("HTTP/1.1 200 OK") != std::string::npos);
    CHECK(all.find("bytes=" + std::to_string(body.size())) != std::string::npos);
}

TEST_CASE("relays a chunked response") {
    OriginServer origin;
    MinewallProcess proxy(plain_config);
    auto r = curl({"-x", proxy.proxy_url(), "-D", "-", origin.url("/chunked?n=40")});
    REQUIRE(r.exit_code == 0);
    CHECK(r.out.find("Transfer-Encoding: chunked") != std::string::npos);
    std::string expected;
    for (int i = 0; i < 40; ++i)
        expected += "chunk " + std::to_string(i) + "\n";
    CHECK(r.out.substr(r.out.size() - expected.size()) == expected);
}

TEST_CASE("passes each piece of a streamed response on as it arrives") {
    OriginServer origin;
    MinewallProcess proxy(plain_config);
    RawConnection client(proxy.port());
    client.send("GET " + origin.url("/held") +
                " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(origin.port()) + "\r\n\r\n");
    // The origin sends its second event only once the test lets it, i.e. after the first has
    // reached the client: a proxy that buffers the body never shows the first.
    const std::string first = client.read_until("data: first");
    CHECK(first.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
    CHECK(first.find("data: first") != std::string::npos);
    CHECK(first.find("data: second") == std::string::npos);
    origin.release_held();
    const std::string all = client.read_until("\r\n0\r\n\r\n");
    CHECK(all.find("data: second") != std::string::npos);
    CHECK(all.find("\r\n0\r\n\r\n") != std::string::npos);
}

TEST_CASE("re-frames a close-delimited response as chunked for HTTP/1.1 clients") {
    OriginServer origin;
    MinewallProcess proxy(plain_config);
    auto r = curl(
        {"-x", proxy.proxy_url(), "-D", "-", origin.url("/close-delimited"), origin.url("/hello")});
    REQUIRE(r.exit_code == 0);
    CHECK(r.out.find("Transfer-Encoding: chunked") != std::string::npos);
    CHECK(r.out.find("body delimited by close\n") != std::string::npos);
    CHECK(r.out.find("hello from origin\n") != std::string::npos);
}

namespace {

// HEAD of `path`, then a GET of /hello on the same connection (curl --next), which writes
// "connects=0" when it reused the connection.
CommandResult head_then_get(const MinewallProcess& proxy, const OriginServer& origin,
                            const std::string& path) {
    return curl({"-x", proxy.proxy_url(), "-I", origin.url(path), "--next", "-x", proxy.proxy_url(),
                 origin.url("/hello"), "-w", "connects=%{num_connects}\n"});
}

}  // namespace

TEST_CASE("HEAD returns the headers without a body and keeps the connection usable") {
    OriginServer origin;
    MinewallProcess proxy(plain_config);
    auto r = head_then_get(proxy, origin, "/big?bytes=5000");
    REQUIRE(r.exit_code == 0);
    CHECK(r.out.find("HTTP/1.1 200 OK") == 0);
    CHECK(r.out.find("Content-Length: 5000") != std::string::npos);
    CHECK(r.out.find("hello from origin\n") != std::string::npos);
    CHECK(r.out.find("connects=0") != std::string::npos);  // the GET reused the connection
}

TEST_CASE("HEAD of a chunked resource gets the head only and keeps the connection usable") {
    OriginServer origin;
    MinewallProcess proxy(plain_config);
    // The head says chunked; a last chunk after it would be read as the next response.
    auto r = head_then_get(proxy, origin, "/chunked?n=3");
    REQUIRE(r.exit_code == 0);
    CHECK(r.out.find("Transfer-Encoding: chunked") != std::string::npos);
    CHECK(r.out.find("hello from origin\n") != std::string::npos);
    CHECK(r.out.find("connects=0") != std::string::npos);
}

TEST_CASE("204 and 304 responses carry no body") {
    OriginServer origin;
    MinewallProcess proxy(plain_config);
    auto r = curl({"-x", proxy.proxy_url(), "-w", "%{http_code} %{size_download}\n",
                   origin.url("/status/204"), origin.url("/status/304"), origin.url("/hello")});
    REQUIRE(r.exit_code == 0);
    CHECK(r.out == "204 0\n304 0\nhello from origin\n200 18\n");
}

TEST_CASE("keeps client and origin connections alive across requests") {
    OriginServer origin;
    MinewallProcess proxy(plain_config);
    auto r = curl({"-x", proxy.proxy_url(), "-w", "%{num_connects}\n", origin.url("/hello"),
                   origin.url("/hello")});
    REQUIRE(r.exit_code == 0);
    // One client connection for both requests (0 new connects for the second) ...
    CHECK(r.out == "hello from origin\n1\nhello from origin\n0\n");
    // ... and one pooled origin connection behind them.
    CHECK(origin.requests_served() == 2);
    CHECK(origin.connections_accepted() == 1);
}

TEST_CASE("serves HTTP/1.0 clients with a close-delimited response") {
    OriginServer origin;
    MinewallProcess proxy(plain_config);
    auto r = curl({"-0", "-x", proxy.proxy_url(), "-D", "-", origin.url("/chunked?n=3")});
    REQUIRE(r.exit_code == 0);
    CHECK(r.out.find("HTTP/1.0 200 OK") == 0);
    CHECK(r.out.find("Transfer-Encoding") == std::string::npos);
    CHECK(r.out.find("chunk 0\nchunk 1\nchunk 2\n") != std::string::npos);
}

TEST_CASE("a pooled origin connection the origin closed while idle is not used again") {
    OriginServer origin;
    origin.close_idle_after(std::chrono::milliseconds(200));
    MinewallProcess proxy(plain_config);
    auto first = curl({"-x", proxy.proxy_url(), origin.url("/hello")});
    REQUIRE(first.out == "hello from origin\n");
    // Wait for the origin's idle close (a condition, not a guess at its timing).
    REQUIRE(eventually([&] { return origin.idle_connections_closed() == 1; }));
    // A POST: a request with a body is never retried, so only a proxy that notices the closed
    // connection before using it gets this through.
    auto second = curl({"-x", proxy.proxy_url(), "-w", " %{http_code}", "--data-binary", "abc",
                        origin.url("/upload")});
    CHECK(second.out == "bytes=3 fnv=" + std::to_string(OriginServer::fnv1a("abc")) + " 200");
    CHECK(origin.connections_accepted() == 2);
    CHECK(origin.requests_served() == 2);
}

TEST_CASE(
    "a request that loses the race with the origin's close of a pooled connection is "
    "retried on a fresh one") {
    OriginServer origin;
    // Every second request on a connection is read and then dropped unanswered: what a client
    // sees when an origin's idle close crosses the request a proxy sent on a pooled connection.
    origin.drop_requests_on_reused_connections(true);
    MinewallProcess proxy(plain_config);
    auto r = curl({"-x", proxy.proxy_url(), "-w", "%{http_code}\n", origin.url("/hello"),
                   origin.url("/hello"), origin.url("/hello")});
    CHECK(r.out == "hello from origin\n200\nhello from origin\n200\nhello from origin\n200\n");
    CHECK(origin.requests_dropped() == 2);  // both later requests went out on a pooled one first
    CHECK(origin.connections_accepted() == 3);
}
