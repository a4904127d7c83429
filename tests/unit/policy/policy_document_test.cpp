#include "policy/policy_document.hpp"

#include <doctest/doctest.h>

using namespace minewall::policy;

namespace {
PolicyDocumentResult parse(const std::string& yaml) {
    return parse_policy_document(yaml, "p.yaml", "/etc/minewall");
}

bool has_error(const PolicyDocumentResult& r, std::size_t line, std::size_t column,
               std::string_view text) {
    for (const auto& e : r.errors)
        if (e.line == line && e.column == column && e.message.find(text) != std::string::npos)
            return true;
    for (const auto& e : r.errors)
        MESSAGE(e.to_string());
    return false;
}
}  // namespace

TEST_CASE("the embedded default policy loads and blocks with NoCoin") {
    auto r = load_default_policy();
    REQUIRE(r.errors.empty());
    const auto& d = *r.document;
    CHECK(d.mode == PolicyMode::Enforce);
    CHECK(d.content_scan_limit == 256 * 1024);
    REQUIRE(d.feeds.size() == 1);
    CHECK(d.feeds[0].source == "builtin:nocoin");
    CHECK(d.feeds[0].format == FeedFormat::Adblock);
    CHECK(d.rules.size() >= 2);
}

TEST_CASE("parses rules, feeds, mode and limits") {
    auto r = parse(R"(version: 1
mode: monitor
content_scan:
  limit_bytes: 65536
feed_cache_dir: /var/lib/minewall/feeds
feeds:
  - name: blockers
    source: feeds/hosts.txt
    format: hosts
    subdomains: false
  - name: sentinel-ua
    source: https://example.org/UnusualUserAgents.csv
    format: useragent_csv
    refresh: 12h
rules:
  - id: lab
    action: allow
    domains: ["*.Lab.Example"]
    clients: [10.9.0.0/16]
  - id: pools
    action: block
    urls: ["^https?://[^/]+/miner\\.js"]
    user_agents: [XMRig]
    ips: [198.51.100.0/24]
    threat_name: CoinMiner.Custom
    risk_score: 99
)");
    REQUIRE(r.errors.empty());
    const auto& d = *r.document;
    CHECK(d.mode == PolicyMode::Monitor);
    CHECK(d.content_scan_limit == 65536);
    CHECK(d.feed_cache_dir == "/var/lib/minewall/feeds");
    CHECK(d.feeds[0].source == "/etc/minewall/feeds/hosts.txt");
    CHECK_FALSE(d.feeds[0].include_subdomains);
    CHECK(d.feeds[1].refresh == std::chrono::hours(12));
    CHECK(d.feeds[1].is_url());
    CHECK(d.rules[0].domains == std::vector<std::string>{"lab.example"});
    CHECK(d.rules[0].action == Action::Allow);
    CHECK(d.rules[1].risk_score == 99);
    CHECK(d.rules[1].line == 20);
}

TEST_CASE("unknown keys are errors with line and column") {
    auto r = parse(
        "version: 1\nmodes: enforce\nrules:\n  - id: a\n    action: block\n    domain: "
        "[x.example]\n");
    CHECK_FALSE(r.document);
    CHECK(has_error(r, 2, 1, "unknown key 'modes'"));
    CHECK(has_error(r, 6, 5, "unknown key 'domain'"));
}

TEST_CASE("wrong types and values are errors with line and column") {
    auto r = parse(R"(version: 1
mode: sometimes
content_scan:
  limit_bytes: lots
detectors:
  stratum: maybe
feeds:
  - name: f
    source: x.txt
    format: csv
    refresh: 10s
rules:
  - id: a
    action: deny
    domains: x.example
  - id: b
    action: block
    urls: ["(unclosed"]
    ips: [300.1.1.1]
    hosts: ["pool.example:3333"]
)");
    CHECK_FALSE(r.document);
    CHECK(has_error(r, 2, 7, "mode must be enforce or monitor"));
    CHECK(has_error(r, 4, 16, "must be a whole number"));
    CHECK(has_error(r, 6, 12, "true or false"));
    CHECK(has_error(r, 10, 13, "format must be"));
    CHECK(has_error(r, 11, 14, "at least 60s"));
    CHECK(has_error(r, 14, 13, "action must be block, allow or bypass_inspection"));
    CHECK(has_error(r, 15, 14, "domains must be a list"));
    CHECK(has_error(r, 18, 12, "not a valid RE2 expression"));
    CHECK(has_error(r, 19, 11, "not an IPv4 or IPv6 address"));
    CHECK(has_error(r, 20, 13, "port"));
}

TEST_CASE("rules need an id, an action and something to match") {
    auto r = parse(
        "rules:\n  - action: block\n    domains: [a.example]\n  - id: x\n    action: block\n    "
        "clients: [10.0.0.0/8]\n  - id: x\n    action: allow\n");
    CHECK(has_error(r, 2, 5, "needs an id"));
    CHECK(has_error(r, 4, 5, "needs a destination matcher"));
    CHECK(has_error(r, 7, 9, "duplicate rule id"));
    CHECK(has_error(r, 7, 5, "matches nothing"));
}

TEST_CASE("YAML syntax errors carry their position") {
    auto r = parse("rules:\n  - id: a\n   action: [block\n");
    REQUIRE_FALSE(r.errors.empty());
    CHECK(r.errors[0].line >= 3);
    CHECK(r.errors[0].message.find("YAML syntax error") != std::string::npos);
    CHECK(r.errors[0].to_string().starts_with("p.yaml:"));
}

TEST_CASE("durations") {
    CHECK(parse_duration("90s") == std::chrono::seconds(90));
    CHECK(parse_duration("30m") == std::chrono::minutes(30));
    CHECK(parse_duration("7d") == std::chrono::hours(168));
    CHECK(parse_duration("3600") == std::chrono::seconds(3600));
    CHECK_FALSE(parse_duration("1w"));
    CHECK_FALSE(parse_duration("h"));
    CHECK_FALSE(parse_duration("-5m"));
}

TEST_CASE("the documented example policy is valid") {
    auto r = load_policy_file(MINEWALL_POLICY_EXAMPLE);
    for (const auto& e : r.errors)
        MESSAGE(e.to_string());
    REQUIRE(r.errors.empty());
    const auto& d = *r.document;
    CHECK(d.feeds.size() == 3);
    CHECK(d.feeds[1].is_url());
    CHECK(d.feeds[2].format == FeedFormat::UserAgentCsv);
    CHECK(d.rules.size() == 3);
    CHECK(d.rules[2].action == Action::BypassInspection);
}
