#include <doctest/doctest.h>

#include "tests/support/minewall_process.hpp"
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
    CHECK(origin.requests_served() == 0);
}

TEST_CASE("closes an idle tunnel after the tunnel idle timeout") {
    OriginServer origin;
    MinewallProcess proxy("connect_ports: [" + std::to_string(origin.port()) +
                          "]\ntunnel:\n  idle_timeout: 300ms\n");
    // The origin waits 2 s before answering: the tunnel is idle longer than allowed.
    auto r = curl({"-p", "-x", proxy.proxy_url(), origin.url("/slow?ms=2000")});
    CHECK(r.exit_code != 0);
    CHECK(r.out.empty());
}
