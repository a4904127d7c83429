#include <doctest/doctest.h>

#include "policy/policy_store.hpp"
#include "temp_dir.hpp"
#include "wasm_module_builder.hpp"

using namespace minewall::policy;

namespace {

std::shared_ptr<const Snapshot> default_snapshot() {
    static std::shared_ptr<const Snapshot> snap = [] {
        PolicyStore store(PolicyStoreOptions{});
        auto r = store.reload();
        REQUIRE(r.ok);
        return store.snapshot();
    }();
    return snap;
}

std::shared_ptr<const Snapshot> snapshot_of(const std::string& yaml, test::TempDir& dir) {
    PolicyStoreOptions o;
    o.policy_path = dir.write("policy.yaml", yaml);
    PolicyStore store(o);
    auto r = store.reload();
    for (const auto& e : r.errors)
        MESSAGE(e.to_string());
    REQUIRE(r.ok);
    return store.snapshot();
}

RequestFacts connect(std::string host, std::uint16_t port = 443) {
    RequestFacts f;
    f.stage = Stage::Connect;
    f.host = std::move(host);
    f.port = port;
    f.client_ip = "127.0.0.1";
    return f;
}

RequestFacts request(std::string url, std::string ua = "") {
    RequestFacts f;
    f.stage = Stage::Request;
    f.method = "GET";
    f.url = url;
    auto host_start = url.find("://") + 3;
    f.host = url.substr(host_start, url.find_first_of("/:?", host_start) - host_start);
    f.user_agent = std::move(ua);
    f.client_ip = "127.0.0.1";
    return f;
}

constexpr const char* kChrome =
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Safari/537.36";
constexpr const char* kFirefox =
    "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0";

}  // namespace

TEST_CASE("blocks connect to a mining pool by host and by sni") {
    auto s = default_snapshot();
    auto v = s->decide(connect("xmr-eu1.nanopool.org", 14433));
    CHECK(v.blocks());
    CHECK(v.reason == "IPS block: Cryptomining traffic");
    CHECK(v.threat_name == "CoinMiner.Pool");
    CHECK(v.url_category == "Cryptomining & Blockchain");
    CHECK(v.url_super_category == "Security");
    CHECK(v.threat_category == "Cryptomining");
    CHECK(v.rule == "mining-pools");
    CHECK(v.feed == "policy");
    CHECK(v.detector == "pool_host");
    CHECK(v.evidence == "nanopool.org");
    CHECK(v.risk_score >= 75);

    auto hello = connect("203.0.113.9");
    hello.stage = Stage::ClientHello;
    hello.sni = "gulf.moneroocean.stream";
    CHECK(s->decide(hello).blocks());
}

TEST_CASE("blocks NoCoin browser-miner hosts with the feed named") {
    auto v = default_snapshot()->decide(request("https://cnhv.co/lib/miner.js", kChrome));
    CHECK(v.blocks());
    CHECK(v.feed == "nocoin");
    CHECK(v.threat_name.find("Miner") != std::string::npos);
}

TEST_CASE("blocks IP-literal destinations listed in a feed") {
    auto v = default_snapshot()->decide(connect("23.83.114.131", 8080));
    CHECK(v.blocks());
    CHECK(v.detector == "pool_ip");
    CHECK_FALSE(default_snapshot()->decide(connect("23.83.114.132", 8080)).blocks());
}

TEST_CASE("blocks miner script URLs from the NoCoin URL rules") {
    auto v = default_snapshot()->decide(
        request("https://static.example-blog.net/assets/cloudcoins.min.js", kChrome));
    CHECK(v.blocks());
    CHECK(v.detector == "miner_url");
    CHECK(v.evidence == "/cloudcoins.min.js");
    CHECK(v.feed == "nocoin");
    CHECK(v.threat_name == "CoinMiner.URL");
}

TEST_CASE("does not block mining-industry news, games and price sites") {
    auto s = default_snapshot();
    for (const char* host :
         {"miningweekly.com", "www.minecraft.net", "coinmarketcap.com", "www.mining.com",
          "monero.org", "getmonero.org", "github.com", "www.coindesk.com"}) {
        CAPTURE(host);
        auto v = s->decide(connect(host));
        CHECK(v.action == Action::Allow);
        CHECK(v.reason == "Allowed");
        CHECK(v.url_category == "Miscellaneous or Unknown");
        CHECK(v.threat_name.empty());
    }
    CHECK_FALSE(s->decide(request("https://www.minecraft.net/en-us/download", kChrome)).blocks());
    CHECK_FALSE(
        s->decide(request("https://coinmarketcap.com/currencies/monero/", kFirefox)).blocks());
}

TEST_CASE("blocks miner software by User-Agent family, any version, any case") {
    auto s = default_snapshot();
    struct Case {
        const char* ua;
        const char* threat;
    } cases[] = {
        {"XMRig/6.21.0 (Linux x86_64) libuv/1.44.2 gcc/12.2.0", "CoinMiner.UA.XMRig"},
        {"xmrig/5.11.1 (Windows NT 10.0; Win64; x64) libuv/1.34.0 msvc/2019", "CoinMiner.UA.XMRig"},
        {"xmrig-proxy/6.20.0 (Linux x86_64) libuv/1.44.2 gcc/12.2.0", "CoinMiner.UA.xmrig-proxy"},
        {"ccminer/2.3.1", "CoinMiner.UA.ccminer"},
        {"cpuminer/2.5.1", "CoinMiner.UA.cpuminer"},
        {"cpuminer-opt/3.23.1", "CoinMiner.UA.cpuminer-opt"},
        {"cgminer/4.10.0", "CoinMiner.UA.cgminer"},
        {"bfgminer/5.5.0", "CoinMiner.UA.bfgminer"},
        {"xmr-stak/2.10.8/4d2b8a8 (linux) libuv/1.34.2", "CoinMiner.UA.xmr-stak"},
        {"SRBMiner-MULTI/2.4.5", "CoinMiner.UA.SRBMiner"},
        {"lolMiner 1.76", "CoinMiner.UA.lolMiner"},
        {"NBMiner/42.3", "CoinMiner.UA.NBMiner"},
        {"PhoenixMiner/6.2c", "CoinMiner.UA.PhoenixMiner"},
        {"T-Rex/0.26.8", "CoinMiner.UA.T-Rex"},
        {"ethminer/0.19.0", "CoinMiner.UA.ethminer"},
        {"NiceHashMiner/3.0.6.5", "CoinMiner.UA.NiceHash"},
        {"teamredminer/0.10.14", "CoinMiner.UA.TeamRedMiner"},
        {"GMiner/3.44", "CoinMiner.UA.GMiner"},
        {"nanominer/3.8.5", "CoinMiner.UA.nanominer"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.ua);
        auto v = s->decide(request("http://127.0.0.1:8080/", c.ua));
        CHECK(v.blocks());
        CHECK(v.threat_name == c.threat);
        CHECK(v.detector == "user_agent");
    }
}

TEST_CASE("browsers and ordinary tools are not miner User-Agents") {
    auto s = default_snapshot();
    for (const char* ua :
         {kChrome, kFirefox, "curl/8.5.0", "Wget/1.21.3", "python-requests/2.31.0",
          "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_2) AppleWebKit/605.1.15 (KHTML, like Gecko) "
          "Version/17.2 Safari/605.1.15",
          "Minecraft Launcher/2.3.173", "MiningWeekly-App/1.0", "xmrigging-notes/1.0"}) {
        CAPTURE(ua);
        CHECK_FALSE(s->decide(request("https://example.com/", ua)).blocks());
    }
}

TEST_CASE("blocks stratum in tunnel leading bytes and getwork in POST bodies") {
    auto s = default_snapshot();
    RequestFacts t;
    t.stage = Stage::Tunnel;
    t.host = "198.51.100.7";
    t.port = 3333;
    std::string login =
        "{\"id\":1,\"jsonrpc\":\"2.0\",\"method\":\"login\",\"params\":{\"login\":"
        "\"4AdUndXHHZ6cf\",\"pass\":\"x\","
        "\"agent\":\"XMRig/6.21.0\"}}\n";
    t.leading_bytes = login;
    auto v = s->decide(t);
    CHECK(v.blocks());
    CHECK(v.threat_name == "CoinMiner.Stratum");
    CHECK(v.detector == "stratum");
    CHECK(v.rule == "builtin.stratum");

    std::string api =
        "{\"jsonrpc\":\"2.0\",\"method\":\"eth_blockNumber\",\"params\":[],\"id\":1}\n";
    t.leading_bytes = api;
    CHECK_FALSE(s->decide(t).blocks());

    auto post = request("http://198.51.100.7:8332/");
    post.method = "POST";
    std::string body = "{\"method\":\"getwork\",\"params\":[],\"id\":0}";
    post.leading_bytes = body;
    CHECK(s->decide(post).threat_name == "CoinMiner.GetWork");
}

TEST_CASE("blocks browser miners in response content and CryptoNight WebAssembly") {
    auto s = default_snapshot();
    auto r = request("https://blog.example/index.html", kChrome);
    r.stage = Stage::Response;
    r.content_type = "text/html; charset=utf-8";
    std::string page = "<script>var m = new CoinHive.Anonymous('k'); m.start();</script>";
    r.leading_bytes = page;
    auto v = s->decide(r);
    CHECK(v.blocks());
    CHECK(v.threat_name == "CoinMiner.JS.CoinHive");
    CHECK(v.detector == "content");

    r.content_type = "application/wasm";
    auto miner = test::wasm_module({{"_cryptonight_hash", 0}, {"memory", 2}});
    r.leading_bytes = miner;
    CHECK(s->decide(r).threat_name == "CoinMiner.WASM.CryptoNight");
    auto ordinary = test::wasm_module({{"add", 0}, {"main", 0}, {"memory", 2}});
    r.leading_bytes = ordinary;
    CHECK_FALSE(s->decide(r).blocks());

    r.content_type = "image/png";
    r.leading_bytes = page;
    CHECK_FALSE(s->decide(r).blocks());  // not scanned
}

TEST_CASE("streaming content scan through the snapshot") {
    auto s = default_snapshot();
    auto scanner = s->content_scanner();
    CHECK(scanner.feed("<script>var miner = new deepMi").status == ScanStatus::NeedMore);
    auto d = scanner.feed("ner.Anonymous('key');</script>");
    auto v = s->verdict_for(d, Detector::Content);
    CHECK(v.blocks());
    CHECK(v.threat_name == "CoinMiner.JS.deepMiner");
    CHECK(s->verdict_for(Detection{}, Detector::Content).action == Action::Allow);
}

TEST_CASE("blocks WebSocket pool frames in a tunnel") {
    auto s = default_snapshot();
    std::string payload =
        "{\"type\":\"auth\",\"params\":{\"site_key\":\"abc\",\"type\":\"anonymous\"}}";
    std::string frame;
    frame.push_back('\x81');
    frame.push_back(static_cast<char>(0x80 | payload.size()));
    frame.append("\0\0\0\0", 4);  // zero mask: payload unchanged
    frame += payload;
    RequestFacts t;
    t.stage = Stage::Tunnel;
    t.host = "ws.example-widget.net";
    t.leading_bytes = frame;
    auto v = s->decide(t);
    CHECK(v.blocks());
    CHECK(v.threat_name == "CoinMiner.WebSocket.Pool");
}

TEST_CASE("allow rules are evaluated before block rules and detectors") {
    test::TempDir dir;
    auto s = snapshot_of(R"(version: 1
rules:
  - id: lab-pool
    action: allow
    hosts: [pool.supportxmr.com]
    clients: [10.9.0.0/16]
  - id: lab-ua
    action: allow
    user_agents: [XMRig]
    clients: [10.9.0.0/16]
  - id: pools
    action: block
    domains: [supportxmr.com]
)",
                         dir);
    auto f = connect("pool.supportxmr.com");
    f.client_ip = "10.9.1.2";
    auto v = s->decide(f);
    CHECK(v.action == Action::Allow);
    CHECK(v.rule == "lab-pool");
    CHECK(v.reason == "Allowed");
    f.client_ip = "10.8.1.2";  // outside the exception
    CHECK(s->decide(f).blocks());

    auto r = request("http://198.51.100.1/", "XMRig/6.21.0");
    r.client_ip = "10.9.0.5";
    CHECK(s->decide(r).action == Action::Allow);
    r.client_ip = "192.0.2.1";
    CHECK(s->decide(r).threat_name == "CoinMiner.UA.XMRig");
}

TEST_CASE("adblock exceptions allow what the list exempts") {
    auto s = default_snapshot();
    auto v = s->decide(connect("api.quiknode.pro"));
    CHECK(v.action == Action::Allow);
    CHECK(v.feed == "nocoin");
}

TEST_CASE("monitor mode allows but reports the would-be block") {
    test::TempDir dir;
    auto s = snapshot_of(
        "version: 1\nmode: monitor\nrules:\n  - id: pools\n    action: block\n    domains: "
        "[supportxmr.com]\n",
        dir);
    auto v = s->decide(connect("pool.supportxmr.com"));
    CHECK(v.monitor_only);
    CHECK_FALSE(v.blocks());
    CHECK(v.reason == "Allowed");
    CHECK(v.threat_name == "CoinMiner.Pool");
    CHECK(v.url_category == "Cryptomining & Blockchain");
    CHECK(s->counters().monitored.load() >= 1);
    CHECK(s->counters().detector(Detector::PoolHost).monitored.load() >= 1);
}

TEST_CASE("bypass_inspection rules splice, but never past a block") {
    test::TempDir dir;
    auto s = snapshot_of(R"(version: 1
rules:
  - id: pinned
    action: bypass_inspection
    domains: [bank.example, pool.example]
  - id: pools
    action: block
    domains: [pool.example]
)",
                         dir);
    auto v = s->decide(connect("app.bank.example"));
    CHECK(v.action == Action::BypassInspection);
    CHECK(v.rule == "pinned");
    CHECK(s->decide(connect("pool.example")).blocks());
}

TEST_CASE("detector switches turn detectors off") {
    test::TempDir dir;
    auto s = snapshot_of("version: 1\ndetectors:\n  user_agent_families: false\n  stratum: false\n",
                         dir);
    CHECK_FALSE(s->decide(request("http://x.example/", "XMRig/6.21.0")).blocks());
    RequestFacts t;
    t.stage = Stage::Tunnel;
    std::string sub = "{\"id\":1,\"method\":\"mining.subscribe\",\"params\":[]}\n";
    t.leading_bytes = sub;
    CHECK_FALSE(s->decide(t).blocks());
}

TEST_CASE("counters count decisions per detector and feed") {
    test::TempDir dir;
    auto s = snapshot_of(
        "version: 1\nrules:\n  - id: pools\n    action: block\n    domains: [pool.example]\n", dir);
    auto before = s->counters().decisions.load();
    s->decide(connect("a.pool.example"));
    s->decide(connect("b.example"));
    CHECK(s->counters().decisions.load() == before + 2);
    CHECK(s->counters().detector(Detector::PoolHost).blocked.load() == 1);
    CHECK(s->counters().blocked.load() == 1);
    CHECK(s->counters().allowed.load() == 1);
}

TEST_CASE("built-in URL rules catch miner scripts and stratum WebSocket endpoints on any host") {
    auto s = default_snapshot();
    auto v = s->decide(request("wss://relay.example.org/stratum", kChrome));
    CHECK(v.blocks());
    CHECK(v.rule == "browser-miner-urls");
    CHECK(s->decide(request("https://cdn.example.org/js/hash_cn.worker.js", kChrome)).blocks());
    CHECK(s->decide(request("https://cdn.example.org/vendor/deepMiner.min.js?v=3", kChrome))
              .blocks());
    // Ordinary assets with similar names stay allowed.
    CHECK_FALSE(s->decide(request("https://cdn.example.org/locales/cn.js", kChrome)).blocks());
    CHECK_FALSE(
        s->decide(request("wss://chat.example.org/socket?room=stratum-fans", kChrome)).blocks());
    CHECK_FALSE(
        s->decide(request("https://www.example.org/blog/coinhive-shutdown-explained", kChrome))
            .blocks());
}

TEST_CASE("a repeated User-Agent gets each snapshot's own verdict (per-thread memo)") {
    // decide() remembers the last few User-Agents per thread; the memo must never carry one
    // snapshot's matches into another, nor lose a match on the second and later requests.
    test::TempDir dir_a, dir_b;
    auto with_rule = snapshot_of(R"(version: 1
detectors:
  user_agent_families: false
rules:
  - id: lab-tool
    action: block
    user_agents: [FooTool]
)",
                                 dir_a);
    auto without_rule =
        snapshot_of("version: 1\ndetectors:\n  user_agent_families: false\n", dir_b);
    auto r = request("https://www.example.com/", "FooTool/1.0 (Linux)");
    for (int round = 0; round < 3; ++round) {
        auto v = with_rule->decide(r);
        CHECK(v.blocks());
        CHECK(v.rule == "lab-tool");
        CHECK(v.evidence == "FooTool");
        CHECK_FALSE(without_rule->decide(r).blocks());
    }
    // More distinct User-Agents than the memo holds, cycled: every answer still right.
    for (int round = 0; round < 3; ++round) {
        for (int i = 0; i < 9; ++i) {
            auto ua = "agent" + std::to_string(i) + (i % 3 == 0 ? " FooTool/2" : " curl/8");
            CHECK(with_rule->decide(request("https://www.example.com/", ua)).blocks() ==
                  (i % 3 == 0));
        }
    }
    CHECK(with_rule->counters().blocked.load() == 3 + 3 * 3);
    // A snapshot built after the others were released still gets its own answers.
    with_rule.reset();
    test::TempDir dir_c;
    auto rebuilt = snapshot_of("version: 1\ndetectors:\n  user_agent_families: false\n", dir_c);
    CHECK_FALSE(rebuilt->decide(r).blocks());
}

TEST_CASE("default policy: the same miner User-Agent is blocked on every request") {
    auto s = default_snapshot();
    for (int i = 0; i < 5; ++i) {
        CHECK(s->decide(request("https://www.example.com/", "XMRig/6.21.0 (Linux x86_64)"))
                  .threat_name == "CoinMiner.UA.XMRig");
        CHECK_FALSE(s->decide(request("https://www.example.com/", kChrome)).blocks());
    }
}
