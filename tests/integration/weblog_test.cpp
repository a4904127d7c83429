#include <doctest/doctest.h>

#include <csignal>
#include <filesystem>
#include <sstream>
#include <thread>

#include "tests/support/minewall_process.hpp"
#include "tests/support/nss_log.hpp"
#include "tests/support/origin_server.hpp"

using namespace minewall::testing;

namespace {}  // namespace

TEST_CASE("writes one splunk NSS record per transaction to the configured file") {
    OriginServer origin;
    TempDir logs;
    MinewallProcess proxy(
        "weblog:\n  feeds:\n    - preset: splunk\n      destination: " + logs.file("web.log") +
        "\n    - preset: json\n      destination: " + logs.file("web.json") + "\n");
    CHECK(curl({"-x", proxy.proxy_url(), "-A", "test-agent/1.0", origin.url("/hello")}).exit_code ==
          0);
    CHECK(curl({"-x", proxy.proxy_url(), "http://no-such-host.invalid/x"}).exit_code == 0);
    REQUIRE(proxy.stop() == 0);

    auto lines = nss_log_lines(logs.file("web.log"));
    REQUIRE(lines.size() == 2);
    auto port = std::to_string(origin.port());
    CHECK(has_pair(lines[0], "action=Allowed"));
    CHECK(has_pair(lines[0], "status=200"));
    CHECK(has_pair(lines[0], "requestmethod=GET"));
    CHECK(has_pair(lines[0], "url=127.0.0.1:" + port + "/hello"));
    CHECK(has_pair(lines[0], "useragent=test-agent/1.0"));
    CHECK(has_pair(lines[0], "ClientIP=127.0.0.1"));
    CHECK(has_pair(lines[0], "serverip=127.0.0.1"));
    CHECK(has_pair(lines[0], "user=None"));
    CHECK(has_pair(lines[0], "vendor=Zscaler"));
    CHECK(has_pair(lines[1], "status=502"));
    CHECK(has_pair(lines[1], "serverip=0.0.0.0"));
    CHECK(has_pair(lines[1], "hostname=no-such-host.invalid"));
    auto json = nss_log_lines(logs.file("web.json"));
    REQUIRE(json.size() == 2);
    CHECK(json[0].rfind("{", 0) == 0);
}

TEST_CASE("logs the response head and body sizes the client received") {
    OriginServer origin;
    TempDir logs;
    MinewallProcess proxy(
        "weblog:\n  feeds:\n    - format: \"%d{resphdrsize} %d{respdatasize}\"\n"
        "      destination: " +
        logs.file("sizes.log") + "\n");
    // Scanned text, an unscanned image body, a chunked body and a generated error page.
    origin.add_route("/pixel.png", "image/png", std::string(3000, 'p'));
    std::vector<std::string> urls = {origin.url("/hello"), origin.url("/pixel.png"),
                                     origin.url("/chunked?n=5"), "http://no-such-host.invalid/x"};
    std::vector<std::string> seen;
    for (const auto& url : urls) {
        auto r = curl({"-s", "-o", "/dev/null", "-w", "%{size_header} %{size_download}", "-x",
                       proxy.proxy_url(), url});
        REQUIRE(r.exit_code == 0);
        seen.push_back(r.out);
    }
    REQUIRE(proxy.stop() == 0);
    auto lines = nss_log_lines(logs.file("sizes.log"));
    REQUIRE(lines.size() == urls.size());
    for (std::size_t i = 0; i < urls.size(); ++i) {
        INFO(urls[i]);
        CHECK(lines[i] == seen[i]);
    }
}

TEST_CASE("reopens the log file on SIGUSR1 for logrotate") {
    OriginServer origin;
    TempDir logs;
    MinewallProcess proxy("weblog:\n  feeds:\n    - preset: splunk\n      destination: " +
                          logs.file("web.log") + "\n");
    CHECK(curl({"-x", proxy.proxy_url(), origin.url("/hello")}).exit_code == 0);
    // Wait for the writer thread, then rotate the file away as logrotate would.
    for (int i = 0; i < 200 && read_file(logs.file("web.log")).empty(); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    std::filesystem::rename(logs.file("web.log"), logs.file("web.log.1"));
    proxy.process().signal(SIGUSR1);
    REQUIRE(proxy.process().wait_for_output("reopening log files", std::chrono::seconds(10)));
    CHECK(curl({"-x", proxy.proxy_url(), origin.url("/status/204")}).exit_code == 0);
    REQUIRE(proxy.stop() == 0);
    CHECK(nss_log_lines(logs.file("web.log.1")).size() == 1);
    auto fresh = nss_log_lines(logs.file("web.log"));
    REQUIRE(fresh.size() == 1);
    CHECK(has_pair(fresh[0], "status=204"));
}

TEST_CASE("--weblog adds a feed and an unknown preset is a start-up error") {
    OriginServer origin;
    TempDir logs;
    {
        MinewallProcess proxy("weblog:\n  feeds: []\n",
                              {"--weblog", "sentinel-cef:" + logs.file("cef.log")});
        CHECK(
            curl({"-x", proxy.proxy_url(), "-A", "XMRig/6.21.0", origin.url("/hello")}).exit_code ==
            0);
        REQUIRE(proxy.stop() == 0);
    }
    auto cef = nss_log_lines(logs.file("cef.log"));
    REQUIRE(cef.size() == 1);
    CHECK(cef[0].find(" CEF:0|Zscaler|NSSWeblog|") !=
          std::string::npos);  // after the syslog header
    CHECK(cef[0].find("requestClientApplication=XMRig/6.21.0") != std::string::npos);

    // The real start-up, not only `config check`: minewall refuses to run, naming the place.
    auto file = logs.write("bad.yaml", "weblog:\n  feeds:\n    - preset: splunkk\n");
    auto r = run_minewall(
        {"run", "--config", file, "--listen", "127.0.0.1:0", "--state-dir", logs.file("state")},
        std::chrono::seconds(20));
    CHECK(r.exit_code == 2);
    CHECK(r.err.find(file + ":3: unknown weblog preset 'splunkk'") != std::string::npos);
    CHECK(r.err.find("ready (instance") == std::string::npos);
    // And on the command line.
    r = run_minewall({"run", "--weblog", "splunkk:" + logs.file("x.log"), "--listen", "127.0.0.1:0",
                      "--state-dir", logs.file("state")},
                     std::chrono::seconds(20));
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("splunkk") != std::string::npos);
    CHECK(r.err.find("ready (instance") == std::string::npos);
}
