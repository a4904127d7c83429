// Integration tests for the README's subcommands, run as the real binary: `policy check` and
// `policy stats`, `ca init` and `ca show`, and `logs summarize` over a web log the proxy wrote.
// Exit codes and output are checked, and each subcommand's answer to bad input.
#include <doctest/doctest.h>
#include <sys/stat.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/child_process.hpp"
#include "tests/support/minewall_process.hpp"
#include "tests/support/nss_log.hpp"
#include "tests/support/origin_server.hpp"

using namespace minewall::testing;

namespace {

CommandResult run_cli(std::vector<std::string> args, const std::string& stdin_file = "") {
    return run_minewall(std::move(args), std::chrono::seconds(60), stdin_file);
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

// The value after "label" on its line of `text` ("sha256:      AB:CD..." -> "AB:CD...").
std::string labelled(const std::string& text, const std::string& label) {
    for (const auto& line : lines_of(text))
        if (line.rfind(label, 0) == 0) {
            auto value = line.substr(label.size());
            return value.substr(value.find_first_not_of(' '));
        }
    return {};
}

// A small policy of our own: one block rule, no feeds.
const char* kPolicy =
    "version: 1\n"
    "mode: enforce\n"
    "feeds: []\n"
    "rules:\n"
    "  - id: incident-pools\n"
    "    action: block\n"
    "    threat_name: CoinMiner.Pool\n"
    "    domains: [pool.incident.example, pool2.incident.example]\n";

// The SHA-256 fingerprint openssl computes for a certificate file, as "AB:CD:...".
std::string openssl_fingerprint(const std::string& cert) {
    auto r = run_command({"openssl", "x509", "-in", cert, "-noout", "-fingerprint", "-sha256"});
    REQUIRE(r.exit_code == 0);
    auto value = r.out.substr(r.out.find('=') + 1);
    return value.substr(0, value.find('\n'));
}

}  // namespace

TEST_CASE("policy check gives the verdict and the rule for a User-Agent, URL, host and payload") {
    auto ua = run_cli({"policy", "check", "--ua", "XMRig/6.21.0 (Linux x86_64) libuv/1.44.2"});
    CHECK(ua.exit_code == 0);
    CHECK(labelled(ua.out, "action:") == "block");
    CHECK(labelled(ua.out, "reason:") == "IPS block: Cryptomining traffic");
    CHECK(labelled(ua.out, "threat:").rfind("CoinMiner.UA.XMRig", 0) == 0);

    auto url = run_cli({"policy", "check", "--url", "https://www.example.com/lib/coinhive.min.js"});
    CHECK(url.exit_code == 0);
    CHECK(labelled(url.out, "action:") == "block");
    CHECK_MESSAGE(contains(labelled(url.out, "threat:"), "CoinMiner."), url.out);

    TempDir dir;
    auto policy = dir.write("policy.yaml", kPolicy);
    auto host = run_cli(
        {"policy", "check", "--policy", policy, "--host", "eu1.pool.incident.example", "--json"});
    CHECK(host.exit_code == 0);
    auto verdict = nlohmann::json::parse(host.out, nullptr, false);
    REQUIRE_MESSAGE(verdict.is_object(), host.out);
    CHECK(verdict["action"] == "block");
    CHECK(verdict["nss_action"] == "Blocked");
    CHECK(verdict["rule"] == "incident-pools");
    CHECK(verdict["threatname"] == "CoinMiner.Pool");

    // The first bytes of a tunnel: xmrig's stratum login.
    auto payload = dir.write(
        "login.json",
        R"({"id":1,"jsonrpc":"2.0","method":"login","params":{"login":"4AdUndXHHZ6cfufTMvppY6JwXNouMBzSkbLYfpAV5Usx3skxNgYeYTRj5UzqtReoS44qo9mtmXCqY45DJ852K5Jv2684Rge","pass":"x","agent":"XMRig/6.21.0"}})"
        "\n");
    auto stratum = run_cli({"policy", "check", "--payload", payload, "--json"});
    CHECK(stratum.exit_code == 0);
    auto tunnel = nlohmann::json::parse(stratum.out, nullptr, false);
    REQUIRE_MESSAGE(tunnel.is_object(), stratum.out, stratum.err);
    CHECK(tunnel["nss_action"] == "Blocked");
    CHECK(tunnel["threatname"] == "CoinMiner.Stratum");

    auto benign = run_cli({"policy", "check", "--url", "https://www.example.com/index.html", "--ua",
                           "Mozilla/5.0 (X11; Linux x86_64) Firefox/121.0"});
    CHECK(benign.exit_code == 0);
    CHECK(labelled(benign.out, "action:") == "allow");
    CHECK(labelled(benign.out, "rule:") == "none matched");
}

TEST_CASE("policy check --batch answers one JSON verdict per input line and flags bad lines") {
    TempDir dir;
    auto input = dir.write("batch.jsonl",
                           "{\"ua\":\"XMRig/6.21.0\"}\n"
                           "{\"url\":\"https://www.example.com/\"}\n"
                           "\n"
                           "this is not json\n"
                           "{\"host\":\"pool.incident.example\"}\n"
                           "{\"url\":42}\n");
    auto policy = dir.write("policy.yaml", kPolicy);
    auto r = run_cli({"policy", "check", "--policy", policy, "--batch"}, input);
    CHECK(r.exit_code == 2);  // some lines could not be checked
    auto answers = lines_of(r.out);
    REQUIRE_MESSAGE(answers.size() == 5, r.out, r.err);
    std::vector<nlohmann::json> verdicts;
    for (const auto& line : answers) {
        verdicts.push_back(nlohmann::json::parse(line, nullptr, false));
        REQUIRE_MESSAGE(verdicts.back().is_object(), line);
    }
    CHECK(verdicts[0]["line"] == 1);
    CHECK(verdicts[0]["nss_action"] == "Blocked");
    CHECK(verdicts[0]["threatname"] == "CoinMiner.UA.XMRig");
    CHECK(verdicts[1]["line"] == 2);
    CHECK(verdicts[1]["nss_action"] == "Allowed");
    CHECK(verdicts[2]["line"] == 4);  // the empty line is skipped but counted
    CHECK(verdicts[2]["error"] == "not a JSON object");
    CHECK(verdicts[3]["line"] == 5);
    CHECK(verdicts[3]["rule"] == "incident-pools");
    CHECK(verdicts[4]["line"] == 6);
    CHECK(contains(verdicts[4]["error"].get<std::string>(), "must be strings"));
}

TEST_CASE("policy check refuses missing input, a missing payload and a broken policy, exit 2") {
    auto nothing = run_cli({"policy", "check"});
    CHECK(nothing.exit_code == 2);
    CHECK(contains(nothing.err, "nothing to check: give --url, --ua, --host, --sni or --payload"));
    CHECK(nothing.out.empty());

    TempDir dir;
    auto missing = run_cli({"policy", "check", "--payload", dir.file("no-such-file")});
    CHECK(missing.exit_code == 2);
    CHECK(contains(missing.err, "cannot read payload file " + dir.file("no-such-file")));

    auto broken = dir.write("broken.yaml", "version: 1\nmode: loud\n");
    auto r = run_cli({"policy", "check", "--policy", broken, "--ua", "XMRig/6.21.0"});
    CHECK(r.exit_code == 2);
    CHECK_MESSAGE(contains(r.err, broken + ":2:"), r.err);  // file:line:column
    CHECK(contains(r.err, "policy not loaded"));
    CHECK(r.out.empty());
    auto stats = run_cli({"policy", "stats", "--policy", broken});
    CHECK(stats.exit_code == 2);
    CHECK(contains(stats.err, broken + ":2:"));
}

TEST_CASE("policy stats counts the entries of the built-in policy and of a policy file") {
    auto builtin = run_cli({"policy", "stats"});
    CHECK(builtin.exit_code == 0);
    CHECK(labelled(builtin.out, "mode:") == "enforce");
    CHECK(contains(builtin.out, "  nocoin ("));  // the bundled NoCoin feed

    TempDir dir;
    auto policy = dir.write("policy.yaml", kPolicy);
    auto r = run_cli({"policy", "stats", "--policy", policy, "--json"});
    CHECK(r.exit_code == 0);
    auto stats = nlohmann::json::parse(r.out, nullptr, false);
    REQUIRE_MESSAGE(stats.is_object(), r.out);
    CHECK(stats["mode"] == "enforce");
    CHECK(stats["rule_types"]["rules"] == 1);
    CHECK(stats["rule_types"]["domains"] == 2);
    CHECK(stats["feeds"].empty());
    CHECK(stats["counters"]["decisions"] == 0);
}

TEST_CASE("ca init writes a CA whose key only the owner can read; show prints it; --force") {
    TempDir dir;
    const auto ca_dir = dir.file("ca");
    auto init = run_cli({"ca", "init", "--dir", ca_dir});
    REQUIRE_MESSAGE(init.exit_code == 0, init.err);
    CHECK(contains(init.out, "created a new CA (private key: " + ca_dir + "/ca.key, mode 0600)"));
    struct stat key {};
    REQUIRE(::stat((ca_dir + "/ca.key").c_str(), &key) == 0);
    CHECK((key.st_mode & 0777) == 0600);
    // A real CA certificate, and the fingerprint minewall prints is the certificate's.
    auto constraints = run_command(
        {"openssl", "x509", "-in", ca_dir + "/ca.pem", "-noout", "-ext", "basicConstraints"});
    CHECK(contains(constraints.out, "CA:TRUE"));
    const auto fingerprint = openssl_fingerprint(ca_dir + "/ca.pem");
    auto show = run_cli({"ca", "show", "--dir", ca_dir});
    CHECK(show.exit_code == 0);
    CHECK(labelled(show.out, "certificate:") == ca_dir + "/ca.pem");
    CHECK(labelled(show.out, "sha256:") == fingerprint);
    CHECK(labelled(init.out, "sha256:") == fingerprint);
    CHECK(contains(labelled(show.out, "key:"), "P-256"));

    // An existing CA is never replaced by accident: clients trust it.
    auto again = run_cli({"ca", "init", "--dir", ca_dir});
    CHECK(again.exit_code == 1);
    CHECK(contains(again.err, "minewall ca init: a CA already exists in '" + ca_dir +
                                  "' (use --force to replace it)"));
    CHECK(again.out.empty());
    CHECK(openssl_fingerprint(ca_dir + "/ca.pem") == fingerprint);

    auto forced = run_cli({"ca", "init", "--dir", ca_dir, "--force", "--rsa"});
    CHECK(forced.exit_code == 0);
    CHECK(openssl_fingerprint(ca_dir + "/ca.pem") != fingerprint);
    CHECK(contains(labelled(run_cli({"ca", "show", "--dir", ca_dir}).out, "key:"), "RSA"));
    REQUIRE(::stat((ca_dir + "/ca.key").c_str(), &key) == 0);
    CHECK((key.st_mode & 0777) == 0600);
}

TEST_CASE("ca show without a CA and ca init in an unwritable place fail with the reason") {
    TempDir dir;
    auto show = run_cli({"ca", "show", "--dir", dir.file("empty")});
    CHECK(show.exit_code == 1);
    CHECK(contains(show.err, "minewall ca show: CA certificate: cannot read '" + dir.file("empty") +
                                 "/ca.pem'"));
    CHECK(show.out.empty());
    // A regular file where the folder should be.
    auto file = dir.write("not-a-dir", "x");
    auto init = run_cli({"ca", "init", "--dir", file});
    CHECK(init.exit_code == 1);
    CHECK(contains(init.err, "minewall ca init: cannot create '" + file + "/ca.key'"));
}

TEST_CASE("logs summarize groups the blocked transactions of a web log the proxy wrote") {
    OriginServer origin;
    TempDir logs;
    const auto web_log = logs.file("web.log");
    {
        MinewallProcess proxy(splunk_log_config(web_log));
        for (int i = 0; i < 2; ++i)
            CHECK(curl({"-x", proxy.proxy_url(), "-A", "XMRig/6.21.0", "-o", "/dev/null", "-w",
                        "%{http_code}", origin.url("/hello")})
                      .out == "403");
        CHECK(curl({"-x", proxy.proxy_url(), "-o", "/dev/null", "-w", "%{http_code}",
                    origin.url("/lib/coinhive.min.js")})
                  .out == "403");
        CHECK(curl({"-x", proxy.proxy_url(), origin.url("/hello")}).out == "hello from origin\n");
        REQUIRE(proxy.stop() == 0);
    }
    REQUIRE(nss_log_lines(web_log).size() == 4);
    const auto port = std::to_string(origin.port());

    auto text = run_cli({"logs", "summarize", web_log});
    CHECK(text.exit_code == 0);
    auto lines = lines_of(text.out);
    REQUIRE_MESSAGE(lines.size() >= 4, text.out);
    CHECK(lines[0] == "Blocked activity: 3 events in 4 lines");
    CHECK(lines[1] ==
          "count\tfirstTime\tlastTime\taction\tdeviceowner\tuser\turlcategory\turl\tsrc"
          "\tdest");
    // Most frequent group first: the two XMRig requests.
    CHECK(lines[2].rfind("2\t", 0) == 0);
    CHECK(contains(lines[2], "\tBlocked\t"));
    CHECK(contains(lines[2], "\t127.0.0.1:" + port + "/hello\t127.0.0.1\t127.0.0.1"));
    CHECK(contains(text.out, "Top threats:\n  2\tCoinMiner.UA.XMRig\n"));

    auto json = run_cli({"logs", "summarize", "--json", web_log});
    CHECK(json.exit_code == 0);
    auto summary = nlohmann::json::parse(json.out, nullptr, false);
    REQUIRE_MESSAGE(summary.is_object(), json.out);
    CHECK(summary["lines"] == 4);
    CHECK(summary["blocked"] == 3);
    CHECK(summary["unreadable"] == 0);
    REQUIRE(summary["groups"].size() == 2);
    CHECK(summary["groups"][0]["count"] == 2);
    CHECK(summary["groups"][0]["url"] == "127.0.0.1:" + port + "/hello");
    CHECK(summary["top_threats"][0]["name"] == "CoinMiner.UA.XMRig");

    auto csv = run_cli({"logs", "summarize", "--csv", web_log});
    CHECK(csv.exit_code == 0);
    auto rows = lines_of(csv.out);
    REQUIRE(rows.size() == 3);
    CHECK(rows[0] == "count,firstTime,lastTime,action,deviceowner,user,urlcategory,url,src,dest");
    CHECK(rows[1].rfind("2,", 0) == 0);
    CHECK(contains(rows[1], ",127.0.0.1:" + port + "/hello,127.0.0.1,127.0.0.1"));

    // Only the User-Agent detections; also read from standard input.
    auto ua_only =
        run_cli({"logs", "summarize", "--json", "--threat", "CoinMiner.UA.*", "-"}, web_log);
    CHECK(ua_only.exit_code == 0);
    auto filtered = nlohmann::json::parse(ua_only.out, nullptr, false);
    REQUIRE(filtered.is_object());
    CHECK(filtered["blocked"] == 2);
    REQUIRE(filtered["groups"].size() == 1);
    CHECK(filtered["top_threats"].size() == 1);
}

TEST_CASE("logs summarize rejects bad options and unreadable input with a message, non-zero") {
    TempDir dir;
    auto log = dir.write("web.log", "");
    auto both = run_cli({"logs", "summarize", "--json", "--csv", log});
    CHECK(both.exit_code != 0);
    CHECK(contains(both.err, "--json excludes --csv"));
    CHECK(both.out.empty());

    auto since = run_cli({"logs", "summarize", "--since", "last tuesday", log});
    CHECK(since.exit_code == 2);
    CHECK(contains(since.err, "--since 'last tuesday' is not a time"));

    auto format = run_cli({"logs", "summarize", "--format", "splunkk", log});
    CHECK(format.exit_code != 0);
    CHECK(contains(format.err, "--format: splunkk not in {splunk,"));

    auto missing = run_cli({"logs", "summarize", dir.file("no-such.log")});
    CHECK(missing.exit_code == 1);
    CHECK(contains(missing.err, "logs summarize: cannot read " + dir.file("no-such.log")));
    CHECK(missing.out.empty());

    // Lines that are no NSS record are counted and named with file:line, not taken as events.
    auto garbage = dir.write("garbage.log", "hello\nworld\n");
    auto unreadable = run_cli({"logs", "summarize", "--json", garbage});
    CHECK(unreadable.exit_code == 0);
    CHECK(contains(unreadable.err, garbage + ":1: "));
    auto summary = nlohmann::json::parse(unreadable.out, nullptr, false);
    REQUIRE(summary.is_object());
    CHECK(summary["unreadable"] == 2);
    CHECK(summary["blocked"] == 0);
}
