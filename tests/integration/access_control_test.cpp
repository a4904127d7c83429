#include <doctest/doctest.h>

#include "tests/support/minewall_process.hpp"
#include "tests/support/origin_server.hpp"

using namespace minewall::testing;

TEST_CASE("refuses clients outside allowed_clients with 403") {
    OriginServer origin;
    MinewallProcess proxy("allowed_clients: [10.0.0.0/8]\n");
    auto r = curl(
        {"-x", proxy.proxy_url(), "-w", "%{http_code}", "-o", "/dev/null", origin.url("/hello")});
    CHECK(r.exit_code == 0);
    CHECK(r.out == "403");
    CHECK(origin.requests_served() == 0);
    CHECK(proxy.log().find("refused client 127.0.0.1") != std::string::npos);
}

TEST_CASE("refuses requests that would loop through the proxy itself") {
    MinewallProcess proxy("log_level: info\n");
    auto r = curl({"-x", proxy.proxy_url(), "-w", "%{http_code}", "-o", "/dev/null",
                   proxy.proxy_url() + "/"});
    CHECK(r.out == "508");
}

TEST_CASE("answers origin-form requests with a clear 400") {
    MinewallProcess proxy("log_level: info\n");
    auto r = curl({proxy.proxy_url() + "/some/page"});
    CHECK(r.exit_code == 0);
    CHECK(r.out.find("minewall is a forward proxy") != std::string::npos);
}
