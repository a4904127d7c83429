#include "policy/policy_commands.hpp"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "temp_dir.hpp"

using namespace minewall::policy;
using nlohmann::json;

namespace {
struct Run {
    int rc;
    std::string out, err;
};
Run check(PolicyCheckOptions o, const std::string& stdin_text = "") {
    std::istringstream in(stdin_text);
    std::ostringstream out, err;
    int rc = run_policy_check(o, in, out, err);
    return {rc, out.str(), err.str()};
}
}  // namespace

TEST_CASE("policy check --json prints one object with the verdict and the matching rule") {
    PolicyCheckOptions o;
    o.url = "http://198.51.100.7:8080/";
    o.user_agent = "XMRig/6.21.0 (Linux x86_64) libuv/1.44.2 gcc/12.2.0";
    o.json = true;
    auto r = check(o);
    REQUIRE(r.rc == 0);
    auto j = json::parse(r.out);
    CHECK(j["action"] == "block");
    CHECK(j["nss_action"] == "Blocked");
    CHECK(j["reason"] == "IPS block: Cryptomining traffic");
    CHECK(j["threatname"] == "CoinMiner.UA.XMRig");
    CHECK(j["urlcategory"] == "Cryptomining & Blockchain");
    CHECK(j["rule"] == "builtin.user_agent");
    CHECK(j["feed"] == "builtin");
    CHECK(r.out.find('\n') == r.out.size() - 1);  // exactly one line
}

TEST_CASE("policy check prints Allowed for an ordinary site") {
    PolicyCheckOptions o;
    o.url = "https://www.minecraft.net/en-us";
    o.user_agent = "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0";
    o.json = true;
    auto j = json::parse(check(o).out);
    CHECK(j["action"] == "allow");
    CHECK(j["reason"] == "Allowed");
    CHECK(j["urlcategory"] == "Miscellaneous or Unknown");
    CHECK(j["threatname"] == "");
}

TEST_CASE("policy check text output names the rule and what matched") {
    PolicyCheckOptions o;
    o.host = "pool.supportxmr.com";
    auto r = check(o);
    REQUIRE(r.rc == 0);
    CHECK(r.out.find("action:    block") != std::string::npos);
    CHECK(r.out.find("CoinMiner.Pool") != std::string::npos);
    CHECK(r.out.find("matched:   pool_host: pool.supportxmr.com") != std::string::npos);
}

TEST_CASE("policy check reads a stratum payload file") {
    test::TempDir dir;
    PolicyCheckOptions o;
    o.payload_path =
        dir.write("stratum.bin",
                  "{\"id\":1,\"method\":\"mining.subscribe\",\"params\":[\"cgminer/4.10.0\"]}\n");
    o.json = true;
    auto j = json::parse(check(o).out);
    CHECK(j["threatname"] == "CoinMiner.Stratum");
    CHECK(j["detector"] == "stratum");
}

TEST_CASE("policy check --batch gives one verdict per input line") {
    PolicyCheckOptions o;
    o.batch = true;
    auto r = check(o,
                   "{\"url\":\"https://cnhv.co/lib.js\",\"ua\":\"Mozilla/5.0\"}\n"
                   "\n"
                   "{\"url\":\"https://example.com/\",\"ua\":\"curl/8.5.0\"}\n"
                   "not json\n"
                   "{\"host\":\"xmr.nanopool.org\"}\n");
    CHECK(r.rc == 2);  // one bad line
    std::istringstream lines(r.out);
    std::string line;
    std::vector<json> out;
    while (std::getline(lines, line))
        out.push_back(json::parse(line));
    REQUIRE(out.size() == 4);
    CHECK(out[0]["action"] == "block");
    CHECK(out[0]["line"] == 1);
    CHECK(out[1]["action"] == "allow");
    CHECK(out[2]["error"] == "not a JSON object");
    CHECK(out[2]["line"] == 4);
    CHECK(out[3]["action"] == "block");
}

TEST_CASE("policy check reports a broken policy file and exits 2") {
    test::TempDir dir;
    PolicyCheckOptions o;
    o.policy_path = dir.write("bad.yaml", "mode: loud\n");
    o.host = "x.example";
    auto r = check(o);
    CHECK(r.rc == 2);
    CHECK(r.err.find("bad.yaml:1:7: mode must be enforce or monitor") != std::string::npos);
    CHECK(check(PolicyCheckOptions{}).rc == 2);  // nothing to check
}

TEST_CASE("policy stats prints entries per rule type and feed") {
    PolicyStatsOptions o;
    std::ostringstream out, err;
    REQUIRE(run_policy_stats(o, out, err) == 0);
    CHECK(out.str().find("nocoin (adblock, block, from builtin)") != std::string::npos);
    CHECK(out.str().find("url patterns") != std::string::npos);

    o.json = true;
    o.issues = true;
    std::ostringstream jout;
    REQUIRE(run_policy_stats(o, jout, err) == 0);
    auto j = json::parse(jout.str());
    CHECK(j["mode"] == "enforce");
    CHECK(j["rule_types"]["domains"].get<int>() > 150);
    CHECK(j["feeds"][0]["name"] == "nocoin");
    CHECK(j["feeds"][0]["skipped_lines"].get<int>() > 0);
    CHECK(j["feeds"][0]["issues"][0]["line"].get<int>() > 0);
}
