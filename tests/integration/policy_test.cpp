#include <doctest/doctest.h>

#include <boost/asio.hpp>
#include <memory>
#include <sstream>
#include <thread>

#include "tests/support/minewall_process.hpp"
#include "tests/support/nss_log.hpp"
#include "tests/support/origin_server.hpp"
#include "tests/support/raw_client.hpp"
#include "tests/unit/policy/wasm_module_builder.hpp"

using namespace minewall::testing;

namespace {

std::string with_log(const TempDir& logs, const std::string& extra = "") {
    return "weblog:\n  feeds:\n    - preset: splunk\n      destination: " + logs.file("web.log") +
           "\n" + extra;
}

// A small valid WebAssembly module exporting one function under `name`, and its memory.
std::string wasm_exporting(const std::string& name) {
    return minewall::policy::test::wasm_module({{name, 0}, {"memory", 2}});
}

// A TCP listener standing in for a mining pool: counts what reaches it.
class PoolListener {
  public:
    PoolListener() : acceptor_(context_, {boost::asio::ip::make_address("127.0.0.1"), 0}) {
        thread_ = std::thread([this] {
            boost::system::error_code ec;
            boost::asio::ip::tcp::socket socket(context_);
            acceptor_.accept(socket, ec);
            if (ec) return;
            char buffer[4096];
            for (;;) {
                auto n = socket.read_some(boost::asio::buffer(buffer), ec);
                if (ec) break;
                received_ += n;
            }
        });
    }
    ~PoolListener() {
        // Wake a still-blocked accept with a connection of our own.
        boost::system::error_code ec;
        boost::asio::ip::tcp::socket wake(context_);
        wake.connect(acceptor_.local_endpoint(), ec);
        wake.close(ec);
        thread_.join();
    }
    std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
    std::size_t received() const { return received_; }

  private:
    boost::asio::io_context context_;
    boost::asio::ip::tcp::acceptor acceptor_;
    std::atomic<std::size_t> received_{0};
    std::thread thread_;
};

}  // namespace

TEST_CASE("blocks miner User-Agents with a block page and an NSS record naming the threat") {
    OriginServer origin;
    TempDir logs;
    MinewallProcess proxy(with_log(logs));
    auto blocked = curl({"-x", proxy.proxy_url(), "-A", "XMRig/6.21.0 (Linux x86_64) libuv/1.44.2",
                         "-H", "Accept: text/html", "-w", "\n%{http_code}", origin.url("/hello")});
    CHECK(blocked.out.find("CoinMiner.UA.XMRig") != std::string::npos);
    CHECK(blocked.out.substr(blocked.out.size() - 3) == "403");
    auto browser = curl({"-x", proxy.proxy_url(), "-A",
                         "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
                         "Chrome/120.0 Safari/537.36",
                         origin.url("/hello")});
    CHECK(browser.out == "hello from origin\n");
    CHECK(origin.requests_served() == 1);
    REQUIRE(proxy.stop() == 0);
    auto lines = nss_log_lines(logs.file("web.log"));
    REQUIRE(lines.size() == 2);
    CHECK(has_pair(lines[0], "action=Blocked"));
    CHECK(has_pair(lines[0], "status=403"));
    CHECK(has_pair(lines[0], "threatname=CoinMiner.UA.XMRig"));
    CHECK(has_pair(lines[0], "reason=IPS block: Cryptomining traffic"));
    CHECK(has_pair(lines[1], "action=Allowed"));
    CHECK(has_pair(lines[1], "threatname=None"));
}

TEST_CASE("blocks a page that embeds a browser miner and passes an ordinary page intact") {
    OriginServer origin;
    origin.add_route("/miner.html", "text/html",
                     "<html><head><script src=\"/lib/miner.js\"></script><script>\nvar miner = "
                     "new CoinHive.Anonymous('aBcDeFgHiJkLmNoPqRsTuVwXyZ012345', {throttle: "
                     "0.3});\nminer.start();\n</script></head><body>news</body></html>");
    origin.add_route(
        "/news.html", "text/html",
        "<html><body><h1>Mining stocks rally</h1><p>Gold miners up.</p></body></html>");
    TempDir logs;
    MinewallProcess proxy(with_log(logs));
    auto blocked =
        curl({"-x", proxy.proxy_url(), "-w", "\n%{http_code}", origin.url("/miner.html")});
    CHECK(blocked.out.substr(blocked.out.size() - 3) == "403");
    CHECK(blocked.out.find("CoinMiner.JS") != std::string::npos);
    CHECK(blocked.out.find("new CoinHive.Anonymous") == std::string::npos);
    auto page = curl({"-x", proxy.proxy_url(), origin.url("/news.html")});
    CHECK(page.out.find("Mining stocks rally") != std::string::npos);
    REQUIRE(proxy.stop() == 0);
    auto lines = nss_log_lines(logs.file("web.log"));
    REQUIRE(lines.size() == 2);
    CHECK(has_pair(lines[0], "action=Blocked"));
    CHECK(lines[0].find("threatname=CoinMiner.JS.") != std::string::npos);
    CHECK(has_pair(lines[1], "action=Allowed"));
}

TEST_CASE("blocks CryptoNight WebAssembly but not ordinary WebAssembly") {
    OriginServer origin;
    origin.add_route("/assets/module.wasm", "application/wasm",
                     wasm_exporting("_cryptonight_hash"));
    origin.add_route("/app.wasm", "application/wasm", wasm_exporting("add"));
    MinewallProcess proxy("log_level: info\n");
    auto miner =
        curl({"-x", proxy.proxy_url(), "-w", "\n%{http_code}", origin.url("/assets/module.wasm")});
    CHECK_MESSAGE(miner.out.find("CoinMiner.WASM") != std::string::npos, miner.out, proxy.log());
    CHECK(miner.out.substr(miner.out.size() - 3) == "403");
    auto app = curl({"-x", proxy.proxy_url(), "-o", "/dev/null", "-w",
                     "%{http_code} %{size_download}", origin.url("/app.wasm")});
    CHECK(app.out == "200 " + std::to_string(wasm_exporting("add").size()));
}

TEST_CASE("scans every script and untyped-bytes content type the policy lists, and not JSON") {
    // The proxy holds and scans the types the policy names: ECMAScript and S3's default
    // binary/octet-stream were once passed on unscanned. JSON is passed on as it arrives.
    const std::string script =
        "var miner = new CoinHive.Anonymous('aBcDeFgHiJkLmNoPqRsTuVwXyZ0123');";
    OriginServer origin;
    origin.add_route("/lib.es", "text/ecmascript; charset=utf-8", script);
    origin.add_route("/upload.bin", "binary/octet-stream", wasm_exporting("_cryptonight_hash"));
    origin.add_route("/api.json", "application/json", "{\"note\": \"" + script + "\"}");
    MinewallProcess proxy("");
    auto code = [&](const std::string& path) {
        return curl({"-x", proxy.proxy_url(), "-o", "/dev/null", "-w", "%{http_code}",
                     origin.url(path)})
            .out;
    };
    CHECK(code("/lib.es") == "403");
    CHECK(code("/upload.bin") == "403");
    CHECK(code("/api.json") == "200");
}

TEST_CASE("cuts a stratum tunnel before the pool receives a byte") {
    PoolListener pool;
    TempDir logs;
    MinewallProcess proxy(with_log(logs, "connect_ports: [" + std::to_string(pool.port()) + "]\n"));
    auto r = raw_exchange(
        proxy.port(),
        "CONNECT 127.0.0.1:" + std::to_string(pool.port()) +
            " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
            "{\"id\": 1, \"method\": \"mining.subscribe\", \"params\": [\"cpuminer/2.5.1\"]}\n");
    CHECK(r.closed_by_peer);
    CHECK(r.response == "HTTP/1.1 200 Connection established\r\n\r\n");
    REQUIRE(proxy.stop() == 0);
    CHECK(pool.received() == 0);
    auto lines = nss_log_lines(logs.file("web.log"));
    REQUIRE(lines.size() == 1);
    CHECK(has_pair(lines[0], "action=Blocked"));
    CHECK(has_pair(lines[0], "threatname=CoinMiner.Stratum"));
    CHECK(has_pair(lines[0], "requestmethod=CONNECT"));
}

TEST_CASE("refuses CONNECT to a mining pool domain with 403 when not intercepting") {
    MinewallProcess proxy("log_level: info\n", {"--no-intercept"});
    auto r = curl({"-p", "-x", proxy.proxy_url(), "-w", "%{http_connect}",
                   "http://xmr.pool.minergate.com:443/"});
    CHECK(r.out == "403");
}

TEST_CASE("shows the block page inside TLS for a blocked HTTPS host when intercepting") {
    MinewallProcess proxy("log_level: info\n");
    auto ca = proxy.ca_file();
    auto r = curl({"--cacert", ca, "-x", proxy.proxy_url(), "-H", "Accept: text/html", "-w",
                   "\n%{http_code}", "https://coinhive.com/lib/coinhive.min.js"});
    CHECK(r.exit_code == 0);
    CHECK(r.out.find("This request was blocked") != std::string::npos);
    CHECK(r.out.find("CoinMiner") != std::string::npos);
    CHECK(r.out.substr(r.out.size() - 3) == "403");
}

TEST_CASE("monitor mode lets miners through and records what it would have blocked") {
    OriginServer origin;
    TempDir logs;
    auto policy = logs.write("policy.yaml", "version: 1\nmode: monitor\n");
    MinewallProcess proxy(with_log(logs, "policy:\n  file: " + policy + "\n"));
    auto r = curl({"-x", proxy.proxy_url(), "-A", "xmrig/6.20.0", origin.url("/hello")});
    CHECK(r.out == "hello from origin\n");
    REQUIRE(proxy.stop() == 0);
    auto lines = nss_log_lines(logs.file("web.log"));
    REQUIRE(lines.size() == 1);
    CHECK(has_pair(lines[0], "action=Allowed"));
    CHECK(has_pair(lines[0], "status=200"));
    CHECK(has_pair(lines[0], "threatname=CoinMiner.UA.XMRig"));
}

TEST_CASE("a broken policy file stops start-up with its position") {
    TempDir dir;
    auto policy = dir.write("policy.yaml", "version: 1\nmode: sometimes\n");
    auto config = dir.write("minewall.yaml", "policy:\n  file: " + policy + "\n");
    auto r = run_minewall(
        {"--config", config, "--listen", "127.0.0.1:0", "--state-dir", dir.file("state")});
    CHECK(r.exit_code == 2);
    CHECK(r.err.find(policy + ":2:") != std::string::npos);
}

TEST_CASE("blocks getwork mining over a plain HTTP POST and forwards ordinary JSON-RPC") {
    OriginServer origin;
    MinewallProcess proxy("log_level: info\n");
    auto getwork = curl({"-x", proxy.proxy_url(), "-H", "Content-Type: application/json",
                         "--data-binary", R"({"method": "getwork", "params": [], "id": 0})", "-w",
                         "\n%{http_code}", origin.url("/upload")});
    CHECK(getwork.out.substr(getwork.out.size() - 3) == "403");
    CHECK(getwork.out.find("CoinMiner") != std::string::npos);
    const std::string ordinary =
        R"({"jsonrpc":"2.0","method":"eth_blockNumber","params":[],"id":1})";
    auto rpc = curl({"-x", proxy.proxy_url(), "-H", "Content-Type: application/json",
                     "--data-binary", ordinary, origin.url("/upload")});
    CHECK(rpc.out == "bytes=" + std::to_string(ordinary.size()) +
                         " fnv=" + std::to_string(OriginServer::fnv1a(ordinary)));
    CHECK(origin.requests_served() == 1);
}

TEST_CASE(
    "downloads a URL feed at start-up and blocks what it lists, even after a restart offline") {
    auto feed_server = std::make_unique<OriginServer>();
    feed_server->add_route("/pools.txt", "text/plain",
                           "# test pool list\n0.0.0.0 pool.feedtest.example\nbad:line:here\n");
    TempDir dir;
    auto policy = dir.write(
        "policy.yaml",
        "version: 1\nfeeds:\n  - name: test-pools\n    source: " + feed_server->url("/pools.txt") +
            "\n    format: hosts\n    refresh: 1h\n");
    // Checked every 200 ms: a feed loaded from its disk copy is due for a download at once.
    const std::string config = "policy:\n  file: " + policy + "\n  check_interval: 200ms\n";
    const std::string state = dir.file("state");
    {
        MinewallProcess proxy(config, {"--no-intercept"}, state);
        auto r = curl({"-p", "-x", proxy.proxy_url(), "-w", "%{http_connect}",
                       "http://eu1.pool.feedtest.example:443/"});
        CHECK(r.out == "403");
    }
    CHECK(feed_server->requests_served() == 1);
    // The feed server is gone (its port refuses connections): the last good copy on disk
    // still applies.
    feed_server.reset();
    MinewallProcess offline(config, {"--no-intercept"}, state);
    // It did try the network, and failed.
    CHECK(offline.process().wait_for_output("feed 'test-pools': fetch failed",
                                            std::chrono::seconds(20)));
    auto r = curl({"-p", "-x", offline.proxy_url(), "-w", "%{http_connect}",
                   "http://pool.feedtest.example:443/"});
    CHECK(r.out == "403");
}
