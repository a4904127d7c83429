#include "proxy/http/block_page.hpp"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

using namespace minewall;
using namespace minewall::proxy;

namespace {

policy::Verdict miner_verdict() {
    policy::Verdict v;
    v.action = policy::Action::Block;
    v.reason = "IPS block: Cryptomining traffic";
    v.threat_name = "CoinMiner.JS.CoinHive";
    v.url_category = "Cryptomining & Blockchain";
    v.rule = "builtin-content";
    return v;
}

const BlockDetails details{"example.com/<script>coinhive.min.js", "abc-7",
                           std::chrono::system_clock::from_time_t(1700000000)};

}  // namespace

TEST_CASE("browsers get an HTML block page naming the threat, the transaction and the time") {
    auto r = render_block_response(miner_verdict(), details, "text/html,*/*");
    CHECK(r.status == 403);
    CHECK(r.content_type == "text/html; charset=utf-8");
    CHECK(r.body.find("CoinMiner.JS.CoinHive") != std::string::npos);
    CHECK(r.body.find("IPS block: Cryptomining traffic") != std::string::npos);
    CHECK(r.body.find("abc-7") != std::string::npos);
    CHECK(r.body.find("2023-11-14 22:13:20 UTC") != std::string::npos);
    CHECK(r.body.find("&lt;script&gt;") != std::string::npos);
    CHECK(r.body.find("<script>") == std::string::npos);
    CHECK(r.body.find("src=") == std::string::npos);  // no external assets
}

TEST_CASE("API clients get JSON and others plain text") {
    auto j = render_block_response(miner_verdict(), details, "application/json");
    CHECK(j.content_type == "application/json");
    auto parsed = nlohmann::json::parse(j.body);
    CHECK(parsed["blocked"] == true);
    CHECK(parsed["threatname"] == "CoinMiner.JS.CoinHive");
    auto t = render_block_response(miner_verdict(), details, "*/*");
    CHECK(t.content_type == "text/plain; charset=utf-8");
    CHECK(t.body.rfind("403 Blocked by minewall\n", 0) == 0);
    CHECK(t.body.find("threat: CoinMiner.JS.CoinHive\n") != std::string::npos);
}

TEST_CASE("a verdict fills the record's NSS fields; monitor mode records but allows") {
    weblog::WebRecord rec;
    auto v = miner_verdict();
    apply_verdict(v, rec);
    CHECK(rec.blocked);
    CHECK(rec.threat_name == "CoinMiner.JS.CoinHive");
    CHECK(rec.reason == "IPS block: Cryptomining traffic");
    v.monitor_only = true;
    v.reason = "Allowed";
    weblog::WebRecord monitored;
    apply_verdict(v, monitored);
    CHECK_FALSE(monitored.blocked);
    CHECK(monitored.threat_name == "CoinMiner.JS.CoinHive");
}
