#include <doctest/doctest.h>

#include <boost/asio.hpp>

#include "tests/support/minewall_process.hpp"
#include "tests/support/origin_server.hpp"

using namespace minewall::testing;

namespace {

// A loopback port with nothing listening on it.
std::uint16_t closed_port() {
    boost::asio::io_context ctx;
    boost::asio::ip::tcp::acceptor a(ctx, {boost::asio::ip::make_address("127.0.0.1"), 0});
    return a.local_endpoint().port();  // closed again when `a` goes away
}

}  // namespace

TEST_CASE("answers 502 naming the host when the origin refuses the connection") {
    MinewallProcess proxy("log_level: info\n");
    auto port = closed_port();
    auto r = curl({"-x", proxy.proxy_url(), "-w", "\n%{http_code}",
                   "http://127.0.0.1:" + std::to_string(port) + "/"});
    CHECK(r.exit_code == 0);
    CHECK(r.out.find("502 Bad Gateway") == 0);
    CHECK(r.out.find("host: 127.0.0.1") != std::string::npos);
    CHECK(r.out.find("Connection refused") != std::string::npos);
    CHECK(r.out.substr(r.out.size() - 3) == "502");
}

TEST_CASE("answers 502 when the origin's name does not resolve") {
    MinewallProcess proxy("log_level: info\n");
    auto r = curl({"-x", proxy.proxy_url(), "-H", "Accept: text/html", "-w", "\n%{http_code}",
                   "http://no-such-host.invalid/"});
    CHECK(r.out.find("<h1>502 Bad Gateway</h1>") != std::string::npos);
    CHECK(r.out.find("DNS lookup failed for no-such-host.invalid") != std::string::npos);
    CHECK(r.out.substr(r.out.size() - 3) == "502");
}

TEST_CASE("answers 504 when the origin is too slow") {
    OriginServer origin;
    MinewallProcess proxy("upstream:\n  idle_timeout: 300ms\n");
    auto r = curl({"-x", proxy.proxy_url(), "-w", "\n%{http_code}", origin.url("/slow?ms=3000")});
    CHECK(r.exit_code == 0);
    CHECK(r.out.find("504 Gateway Timeout") == 0);
    CHECK(r.out.find("did not answer within 300 ms") != std::string::npos);
}

TEST_CASE("CONNECT to a refused port answers 502") {
    MinewallProcess proxy("connect_ports: [" + std::to_string(closed_port()) + "]\n");
    auto cfg = minewall::testing::read_file(proxy.config_path());
    auto port = cfg.substr(cfg.find('[') + 1, cfg.find(']') - cfg.find('[') - 1);
    auto r = curl(
        {"-p", "-x", proxy.proxy_url(), "-w", "%{http_connect}", "http://127.0.0.1:" + port + "/"});
    CHECK(r.exit_code == 56);
    CHECK(r.out == "502");
}

TEST_CASE("a response that breaks off before any of it was sent becomes a 502 page") {
    OriginServer origin;
    MinewallProcess proxy("log_level: debug\n");
    auto r = curl({"-x", proxy.proxy_url(), "-w", "\n%{http_code}", origin.url("/broken-chunk")});
    CHECK(r.out.substr(r.out.size() - 3) == "502");
    CHECK(r.out.find("broke off") != std::string::npos);
}
