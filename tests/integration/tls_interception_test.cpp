#include <doctest/doctest.h>

#include <sstream>

#include "tests/support/minewall_process.hpp"
#include "tests/support/nss_log.hpp"
#include "tests/support/tls_origin.hpp"

using namespace minewall::testing;

namespace {

std::string config_for(const TlsOrigin& origin, const TempDir& logs,
                       const std::string& extra = "") {
    return "connect_ports: [" + std::to_string(origin.port()) + "]\n" +
           "weblog:\n  feeds:\n    - preset: splunk\n      destination: " + logs.file("web.log") +
           "\n" + extra;
}

std::string minewall_ca(const MinewallProcess& proxy) {
    return proxy.dir().file("state") + "/ca/ca.pem";
}

}  // namespace

TEST_CASE("bumps HTTPS: the client sees a leaf from minewall's CA and every request is logged") {
    TlsOrigin origin;
    TempDir logs;
    MinewallProcess proxy(config_for(origin, logs), {"--upstream-ca", origin.ca_file()});
    // Two requests: keep-alive inside the bumped connection reuses one TLS session.
    auto r = curl({"-v", "--cacert", minewall_ca(proxy), "-x", proxy.proxy_url(), "-o", "/dev/null",
                   "-o", "/dev/null", "-w", "%{http_code} %{num_connects}\n",
                   origin.url("localhost", "/first"), origin.url("localhost", "/second")});
    CHECK(r.exit_code == 0);
    CHECK(r.out == "200 1\n200 0\n");
    CHECK(r.err.find("issuer: CN=minewall CA") != std::string::npos);
    CHECK(r.err.find("subjectAltName: host \"localhost\" matched cert's \"localhost\"") !=
          std::string::npos);
    REQUIRE(proxy.stop() == 0);
    auto lines = nss_log_lines(logs.file("web.log"));
    REQUIRE(lines.size() == 3);  // two HTTPS requests, then the CONNECT that carried them
    CHECK(lines[0].find("\tprotocol=HTTPS\t") != std::string::npos);
    CHECK(lines[0].find("\turl=localhost:" + std::to_string(origin.port()) + "/first\t") !=
          std::string::npos);
    CHECK(lines[2].find("\trequestmethod=CONNECT\t") != std::string::npos);
}

TEST_CASE("a CONNECT to an IP address gets a leaf with an IP SAN") {
    TlsOrigin origin;
    TempDir logs;
    MinewallProcess proxy(config_for(origin, logs), {"--upstream-ca", origin.ca_file()});
    auto r = curl({"-v", "--cacert", minewall_ca(proxy), "-x", proxy.proxy_url(), "-o", "/dev/null",
                   "-w", "%{http_code}", origin.url("127.0.0.1")});
    CHECK(r.out == "200");
    CHECK(r.err.find("matched cert's IP address") != std::string::npos);
}

TEST_CASE("openssl s_client through the proxy verifies minewall's leaf") {
    TlsOrigin origin;
    TempDir logs;
    MinewallProcess proxy(config_for(origin, logs), {"--upstream-ca", origin.ca_file()});
    auto r =
        run_command({"openssl", "s_client", "-proxy", "127.0.0.1:" + std::to_string(proxy.port()),
                     "-connect", "localhost:" + std::to_string(origin.port()), "-servername",
                     "localhost", "-CAfile", minewall_ca(proxy), "-verify_return_error", "-brief"},
                    std::chrono::seconds(20), logs.write("empty", ""));
    CHECK(r.exit_code == 0);
    CHECK((r.err + r.out).find("Verification: OK") != std::string::npos);
}

TEST_CASE("a spliced domain keeps the origin's own certificate") {
    TlsOrigin origin;
    TempDir logs;
    MinewallProcess proxy(config_for(origin, logs, "tls:\n  splice_domains: [localhost]\n"),
                          {"--upstream-ca", origin.ca_file()});
    auto r = curl({"-v", "--cacert", origin.ca_file(), "-x", proxy.proxy_url(), "-o", "/dev/null",
                   "-w", "%{http_code}", origin.url("localhost")});
    CHECK(r.out == "200");
    CHECK(r.err.find("issuer: CN=minewall test origin CA") != std::string::npos);
    REQUIRE(proxy.stop() == 0);
    auto lines = nss_log_lines(logs.file("web.log"));
    REQUIRE(lines.size() == 1);
    CHECK(lines[0].find("\tprotocol=SSL\t") != std::string::npos);
}

TEST_CASE("an origin with an expired certificate gets a 502 inside TLS naming the reason") {
    TlsOrigin origin(TlsOrigin::Certificate::Expired);
    TempDir logs;
    MinewallProcess proxy(config_for(origin, logs), {"--upstream-ca", origin.ca_file()});
    auto r = curl({"--cacert", minewall_ca(proxy), "-x", proxy.proxy_url(), "-w", "\n%{http_code}",
                   origin.url("localhost")});
    CHECK(r.exit_code == 0);
    CHECK(r.out.find("502 Bad Gateway") == 0);
    CHECK(r.out.find("expired") != std::string::npos);
    CHECK(r.out.substr(r.out.size() - 3) == "502");
}

TEST_CASE("an origin whose certificate names another host gets a 502 inside TLS") {
    TlsOrigin origin(TlsOrigin::Certificate::WrongHost);
    TempDir logs;
    MinewallProcess proxy(config_for(origin, logs), {"--upstream-ca", origin.ca_file()});
    auto r = curl({"--cacert", minewall_ca(proxy), "-x", proxy.proxy_url(), "-w", "\n%{http_code}",
                   origin.url("localhost")});
    CHECK(r.out.find("502 Bad Gateway") == 0);
    CHECK(r.out.find("certificate") != std::string::npos);
    CHECK(r.out.substr(r.out.size() - 3) == "502");
}

TEST_CASE("an origin signed by an unknown CA is not trusted") {
    TlsOrigin origin;
    TempDir logs;
    MinewallProcess proxy(config_for(origin, logs));  // no --upstream-ca
    auto r = curl({"--cacert", minewall_ca(proxy), "-x", proxy.proxy_url(), "-w", "\n%{http_code}",
                   origin.url("localhost")});
    CHECK(r.out.substr(r.out.size() - 3) == "502");
}
