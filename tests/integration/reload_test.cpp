// Integration tests; see the README claims they cover: SIGHUP re-reads the policy and the
// identity files (proxy users, address map); a file with errors is reported with its position
// and the running version stays.
#include <doctest/doctest.h>

#include <chrono>
#include <csignal>
#include <string>
#include <thread>

#include "tests/support/eventually.hpp"
#include "tests/support/minewall_process.hpp"
#include "tests/support/nss_log.hpp"
#include "tests/support/origin_server.hpp"

using namespace minewall::testing;
using namespace std::chrono_literals;

namespace {

// Sends SIGHUP and waits for `needle` to appear in the log after everything logged so far
// (earlier reloads wrote the same lines); returns the new part of the log.
std::string reload_and_wait(MinewallProcess& proxy, const std::string& needle) {
    const auto before = proxy.log().size();
    proxy.process().signal(SIGHUP);
    if (!eventually([&] { return proxy.log().find(needle, before) != std::string::npos; }))
        FAIL("no '" << needle << "' in the log after SIGHUP:\n" << proxy.log());
    return proxy.log().substr(before);
}

// A users file line for user with password, hashed with sha512-crypt.
std::string user_line(const std::string& user, const std::string& password) {
    auto hash = run_command({"openssl", "passwd", "-6", "-salt", "reloadsalt", password});
    REQUIRE(hash.exit_code == 0);
    return user + ":" + hash.out;  // hash.out ends with a newline
}

// A policy that blocks one URL path (on any host) with a rule named after it.
std::string policy_blocking(const std::string& path) {
    return "version: 1\nrules:\n  - id: block-" + path + "\n    action: block\n    urls: ['/" +
           path + "\\.js$']\n";
}

// The policy watcher would also pick up a changed file by itself: an interval of an hour
// leaves SIGHUP as the only way in during a test.
const std::string kNoPolicyPolling = "  check_interval: 1h\n";

}  // namespace

TEST_CASE("SIGHUP applies a changed policy file; a broken one is reported and the old one stays") {
    OriginServer origin;
    for (const char* name : {"first", "second", "third"})
        origin.add_route(std::string("/js/") + name + "-miner.js", "application/javascript",
                         "// script\n");
    TempDir dir;
    auto policy = dir.write("policy.yaml", policy_blocking("first-miner"));
    MinewallProcess proxy("policy:\n  file: " + policy + "\n" + kNoPolicyPolling +
                          splunk_log_config(dir.file("web.log")));
    auto code = [&](const std::string& path) {
        return curl({"-x", proxy.proxy_url(), "-o", "/dev/null", "-w", "%{http_code}",
                     origin.url(path)})
            .out;
    };
    CHECK(code("/js/first-miner.js") == "403");
    CHECK(code("/js/second-miner.js") == "200");

    dir.write("policy.yaml", policy_blocking("second-miner"));
    reload_and_wait(proxy, "policy reloaded");
    CHECK(code("/js/first-miner.js") == "200");
    CHECK(code("/js/second-miner.js") == "403");

    // Line 3 is not valid: the error names the file, line and column; the rule that blocks
    // second-miner.js stays, the broken file's rule for third-miner.js never applies.
    dir.write("policy.yaml",
              "version: 1\nrules:\n  - id: block-third-miner\n    action: sometimes\n"
              "    urls: ['/third-miner\\.js$']\n");
    auto log = reload_and_wait(proxy, "policy reload failed, keeping the running policy");
    CHECK_MESSAGE(log.find("policy reload failed, keeping the running policy: " + policy + ":4:") !=
                      std::string::npos,
                  log);
    CHECK(code("/js/second-miner.js") == "403");
    CHECK(code("/js/third-miner.js") == "200");

    REQUIRE(proxy.stop() == 0);
    auto lines = nss_log_lines(dir.file("web.log"));
    REQUIRE(lines.size() == 6);
    CHECK(has_pair(lines[5], "action=Allowed"));
    for (std::size_t blocked : {0, 3, 4}) {
        INFO(lines[blocked]);
        CHECK(has_pair(lines[blocked], "action=Blocked"));
        CHECK(has_pair(lines[blocked], "threatname=CoinMiner.URL"));
    }
}

TEST_CASE("SIGHUP applies a changed proxy users file; a broken one is reported, old users stay") {
    OriginServer origin;
    TempDir dir;
    auto users = dir.write("users", user_line("alice", "alice-pw"));
    MinewallProcess proxy("identity:\n  users_file: " + users +
                          "\n  failed_logins:\n    limit: 1000\n");
    auto code = [&](const std::string& credentials) {
        return curl({"-x", proxy.proxy_url(), "-U", credentials, "-o", "/dev/null", "-w",
                     "%{http_code}", origin.url("/hello")})
            .out;
    };
    CHECK(code("alice:alice-pw") == "200");
    CHECK(code("bob:bob-pw") == "407");

    dir.write("users", user_line("bob", "bob-pw"));
    reload_and_wait(proxy, "configuration reloaded");
    CHECK(code("bob:bob-pw") == "200");
    CHECK(code("alice:alice-pw") == "407");

    // Line 2 has no hash: the whole file is refused (a half-loaded one would lock people
    // out), with its line, and bob keeps logging in while carol does not get in.
    dir.write("users", user_line("carol", "carol-pw") + "no-hash-here\n");
    auto log = reload_and_wait(proxy, "reload failed, keeping the running configuration");
    CHECK_MESSAGE(log.find(users + ":2: expected user:hash") != std::string::npos, log);
    CHECK(code("bob:bob-pw") == "200");
    CHECK(code("carol:carol-pw") == "407");
}

TEST_CASE("SIGHUP applies a changed address map; a broken one is reported and the old map stays") {
    OriginServer origin;
    TempDir dir;
    const std::string header = "cidr,user,department,device_owner,device_hostname,location\n";
    auto map = dir.write("identities.csv", header + "127.0.0.0/8,first-user,Ops,a,host-a,HQ\n");
    MinewallProcess proxy("identity:\n  map_file: " + map + "\n" +
                          splunk_log_config(dir.file("web.log")));
    auto fetch = [&] {
        CHECK(curl({"-x", proxy.proxy_url(), origin.url("/hello")}).exit_code == 0);
    };
    fetch();

    dir.write("identities.csv", header + "127.0.0.0/8,second-user,Finance,b,host-b,Lab\n");
    reload_and_wait(proxy, "configuration reloaded");
    fetch();

    // Line 3's address is not one: reported with its line; second-user stays.
    dir.write("identities.csv", header +
                                    "127.0.0.1/32,third-user,Legal,c,host-c,Annex\n"
                                    "127.0.0.300,nobody,None,d,host-d,Nowhere\n");
    auto log = reload_and_wait(proxy, "reload failed, keeping the running configuration");
    CHECK_MESSAGE(log.find(map + ":3: invalid address or network") != std::string::npos, log);
    fetch();

    REQUIRE(proxy.stop() == 0);
    auto lines = nss_log_lines(dir.file("web.log"));
    REQUIRE(lines.size() == 3);
    CHECK(has_pair(lines[0], "user=first-user"));
    CHECK(has_pair(lines[0], "department=Ops"));
    CHECK(has_pair(lines[1], "user=second-user"));
    CHECK(has_pair(lines[1], "department=Finance"));
    CHECK(has_pair(lines[2], "user=second-user"));
    CHECK(has_pair(lines[2], "devicehostname=host-b"));
}
