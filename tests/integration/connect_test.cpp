#include <doctest/doctest.h>

#include "tests/support/minewall_process.hpp"
#include "tests/support/nss_log.hpp"
#include "tests/support/origin_server.hpp"

using namespace minewall::testing;

TEST_CASE("tunnels CONNECT to an allowed port") {
    OriginServer origin;
    MinewallProcess proxy("connect_ports: [443, " + std::to_string(origin.port()) + "]\n");
    // -p makes curl tunnel plain HTTP through CONNECT, so the bytes pass the relay untouched.
    auto r = curl({"-p", "-x", proxy.proxy_url(), "-w", "%{http_connect}\n", origin.url("/hello"),
                   origin.url("/big?bytes=200000")});
    REQUIRE(r.exit_code == 0);
    CHECK(r.out.rfind("hello from origin\n200\n", 0) == 0);
    CHECK(r.out.find(OriginServer::big_body(200000)) != std::string::npos);
}

TEST_CASE("refuses CONNECT to a port that is not allowed") {
    OriginServer origin;
    MinewallProcess proxy("connect_ports: [443]\n");
    auto r = curl({"-p", "-x", proxy.proxy_url(), "-w", "%{http_connect}", origin.url("/hello")});
    CHECK(r.exit_code == 56);
    CHECK(r.out == "403");
    CHECK(origin.connections_accepted() == 0);
}

TEST_CASE("closes an idle tunnel after the tunnel idle timeout") {
    OriginServer origin;
    TempDir logs;
    MinewallProcess proxy("connect_ports: [" + std::to_string(origin.port()) +
                          "]\ntunnel:\n  idle_timeout: 300ms\nlog_level: debug\n" +
                          splunk_log_config(logs.file("web.log")));
    // The origin waits 5 s before answering: the open tunnel is idle longer than allowed.
    auto started = std::chrono::steady_clock::now();
    auto r =
        curl({"-p", "-x", proxy.proxy_url(), "-w", "%{http_connect}", origin.url("/slow?ms=5000")});
    auto took = std::chrono::steady_clock::now() - started;
    CHECK(r.out == "200");                  // the tunnel was open: a refused CONNECT would say 403
    CHECK(r.exit_code == 52);               // then closed with no answer...
    CHECK(took < std::chrono::seconds(4));  // ...well before the origin's
    REQUIRE(proxy.stop() == 0);
    CHECK(nss_log_lines(logs.file("web.log")).size() == 1);
    // The reason is in the operational log's transaction line (debug level).
    CHECK(proxy.log().find("error=tunnel idle timeout") != std::string::npos);
}
