#include <doctest/doctest.h>

#include <sstream>
#include <thread>

#include "tests/support/eventually.hpp"
#include "tests/support/minewall_process.hpp"
#include "tests/support/nss_log.hpp"
#include "tests/support/origin_server.hpp"

using namespace minewall::testing;

namespace {

std::string weblog_to(const TempDir& logs) {
    return "weblog:\n  feeds:\n    - preset: splunk\n      destination: " + logs.file("web.log") +
           "\n";
}

// A users file with one user whose password is hashed with sha512-crypt.
std::string users_file(const TempDir& dir, const std::string& user, const std::string& password) {
    auto hash = run_command({"openssl", "passwd", "-6", "-salt", "minewallsalt", password});
    REQUIRE(hash.exit_code == 0);
    return dir.write("users", "# proxy users\n" + user + ":" + hash.out);
}

}  // namespace

TEST_CASE("proxy authentication: 407 without or with wrong credentials, the user logged after") {
    OriginServer origin;
    TempDir dir;
    auto users = users_file(dir, "alice", "s3cret:pw");
    MinewallProcess proxy(weblog_to(dir) + "identity:\n  users_file: " + users + "\n" +
                          "connect_ports: [" + std::to_string(origin.port()) + "]\n");

    auto anonymous =
        curl({"-x", proxy.proxy_url(), "-D", "-", "-o", "/dev/null", origin.url("/hello")});
    CHECK(anonymous.out.find("HTTP/1.1 407 Proxy Authentication Required") == 0);
    CHECK(anonymous.out.find("Proxy-Authenticate: Basic realm=\"minewall\"") != std::string::npos);
    auto wrong = curl({"-x", proxy.proxy_url(), "-U", "alice:nope", "-w", "%{http_code}", "-o",
                       "/dev/null", origin.url("/hello")});
    CHECK(wrong.out == "407");
    // The password contains a colon; the second request reuses the verified credentials.
    auto right = curl({"-x", proxy.proxy_url(), "-U", "alice:s3cret:pw", origin.url("/hello"),
                       origin.url("/hello")});
    CHECK(right.out == "hello from origin\nhello from origin\n");
    auto tunnel =
        curl({"-p", "-x", proxy.proxy_url(), "-U", "alice:s3cret:pw", origin.url("/hello")});
    CHECK(tunnel.out == "hello from origin\n");
    CHECK(origin.requests_served() == 3);
    REQUIRE(proxy.stop() == 0);

    auto lines = nss_log_lines(dir.file("web.log"));
    REQUIRE(lines.size() == 5);
    CHECK(has_pair(lines[0], "status=407"));
    CHECK(has_pair(lines[0], "user=None"));
    CHECK(has_pair(lines[1], "user=alice"));  // who tried, even though it failed
    CHECK(has_pair(lines[1], "status=407"));
    CHECK(has_pair(lines[2], "user=alice"));
    CHECK(has_pair(lines[2], "status=200"));
    CHECK(has_pair(lines[4], "requestmethod=CONNECT"));
    CHECK(has_pair(lines[4], "user=alice"));
}

TEST_CASE(
    "an address map names user, department and device; trusted X-Forwarded-For names the client") {
    OriginServer origin;
    TempDir dir;
    auto map = dir.write("identities.csv",
                         "cidr,user,department,device_owner,device_hostname,location\n"
                         "192.0.2.0/24,\"Doe, Jane\",Finance,jdoe,FIN-LT-042,HQ\n"
                         "127.0.0.0/8,build-bot,Engineering,ci,ci-runner-1,Lab\n");
    MinewallProcess proxy(weblog_to(dir) + "identity:\n  map_file: " + map +
                          "\n  trusted_forwarders: [127.0.0.1]\n");
    CHECK(curl({"-x", proxy.proxy_url(), origin.url("/hello")}).exit_code == 0);
    CHECK(curl({"-x", proxy.proxy_url(), "-H", "X-Forwarded-For: 192.0.2.77", origin.url("/hello")})
              .exit_code == 0);
    REQUIRE(proxy.stop() == 0);
    auto lines = nss_log_lines(dir.file("web.log"));
    REQUIRE(lines.size() == 2);
    CHECK(has_pair(lines[0], "user=build-bot"));
    CHECK(has_pair(lines[0], "department=Engineering"));
    CHECK(has_pair(lines[0], "deviceowner=ci"));
    CHECK(has_pair(lines[0], "devicehostname=ci-runner-1"));
    CHECK(has_pair(lines[0], "location=Lab"));
    CHECK(has_pair(lines[1], "user=Doe, Jane"));
    CHECK(has_pair(lines[1], "ClientIP=192.0.2.77"));
    CHECK(has_pair(lines[1], "department=Finance"));
}

TEST_CASE("password guessing locks the client address out with 429 until the lockout ends") {
    OriginServer origin;
    TempDir dir;
    auto users = users_file(dir, "alice", "s3cret");
    MinewallProcess proxy(weblog_to(dir) + "identity:\n  users_file: " + users +
                          "\n  failed_logins:\n    limit: 3\n    window: 1m\n    lockout: 2s\n");
    for (const char* guess : {"alice:a", "alice:b", "bob:c"}) {
        auto wrong = curl({"-x", proxy.proxy_url(), "-U", guess, "-w", "%{http_code}", "-o",
                           "/dev/null", origin.url("/hello")});
        CHECK(wrong.out == "407");
    }
    // Locked out: even the right password is refused, with the time to wait.
    auto locked = curl({"-x", proxy.proxy_url(), "-U", "alice:s3cret", "-D", "-", "-o", "/dev/null",
                        origin.url("/hello")});
    CHECK(locked.out.find("HTTP/1.1 429 Too Many Requests") == 0);
    CHECK(locked.out.find("Retry-After: ") != std::string::npos);
    CHECK(origin.requests_served() == 0);
    // The lockout ends by itself, after its 2 s and not long before.
    auto locked_at = std::chrono::steady_clock::now();
    CHECK(eventually(
        [&] {
            return curl({"-x", proxy.proxy_url(), "-U", "alice:s3cret", origin.url("/hello")})
                       .out == "hello from origin\n";
        },
        std::chrono::seconds(10), std::chrono::milliseconds(100)));
    CHECK(std::chrono::steady_clock::now() - locked_at > std::chrono::milliseconds(1500));
    REQUIRE(proxy.stop() == 0);
    CHECK(proxy.log().find("3 failed proxy logins from 127.0.0.1") != std::string::npos);
    auto lines = nss_log_lines(dir.file("web.log"));
    // Three 407s, then 429s for as long as the lockout lasted, then the 200.
    REQUIRE(lines.size() >= 5);
    for (std::size_t i = 3; i + 1 < lines.size(); ++i) {
        CHECK(has_pair(lines[i], "status=429"));
        CHECK(has_pair(lines[i], "action=Blocked"));
    }
    CHECK(has_pair(lines.back(), "status=200"));
}
