#include "policy/feed_parser.hpp"

#include <doctest/doctest.h>
#include <re2/re2.h>

#include <algorithm>

#include "feed_test_support.hpp"

using namespace minewall::policy;
using test::read_fixture;

namespace {
bool has_domain(const std::vector<FeedDomain>& list, std::string_view d) {
    return std::any_of(list.begin(), list.end(),
                       [&](const FeedDomain& e) { return e.domain == d; });
}
const FeedIssue* issue_at(const FeedEntries& f, std::size_t line) {
    for (const auto& i : f.issues)
        if (i.line == line) return &i;
    return nullptr;
}
bool regex_matches(const std::string& re, std::string_view text) {
    return RE2::PartialMatch(re2::StringPiece(text.data(), text.size()), RE2(re));
}
}  // namespace

TEST_CASE("parses the NoCoin adblock list") {
    auto text = read_fixture("nocoin.txt");
    REQUIRE_FALSE(text.empty());
    auto f = parse_adblock_feed(text);
    CHECK(has_domain(f.domains, "2miners.com"));
    CHECK(has_domain(f.domains, "authedmine.com"));
    CHECK(has_domain(f.domains, "authedwebmine.cz") ==
          false);  // has a $domain=~ exclusion: URL rule
    CHECK(f.domains.size() > 150);
    CHECK(std::any_of(f.ips.begin(), f.ips.end(),
                      [](const FeedIp& e) { return e.text == "23.83.114.131"; }));
    CHECK(std::any_of(f.urls.begin(), f.urls.end(),
                      [](const FeedUrlPattern& u) { return u.source == "/coinhive.min.js"; }));
    CHECK(f.urls.size() > 60);
    // The eight @@ exceptions: five whole domains and three URL prefixes.
    CHECK(f.exception_domains.size() == 5);
    CHECK(f.exception_urls.size() == 3);
    CHECK(has_domain(f.exception_domains, "quiknode.pro"));
    CHECK(f.options_ignored > 100);  // $third-party and resource types
    CHECK(f.comments > 5);
}

TEST_CASE("NoCoin rules a proxy cannot apply are reported with their line numbers") {
    auto f = parse_adblock_feed(read_fixture("nocoin.txt"));
    // $csp rules rewrite responses.
    auto csp = issue_at(f, 312);
    REQUIRE(csp);
    CHECK(csp->message.find("csp") != std::string::npos);
    // Look-ahead regular expressions are not RE2.
    CHECK(std::any_of(f.issues.begin(), f.issues.end(), [](const FeedIssue& i) {
        return i.message.find("not supported by RE2") != std::string::npos;
    }));
    // ".info^$domain=sleeptimer.org" would block every .info URL if applied everywhere.
    CHECK(std::any_of(f.issues.begin(), f.issues.end(), [](const FeedIssue& i) {
        return i.text.starts_with(".info^") && i.message.find("certain sites") != std::string::npos;
    }));
    CHECK(std::none_of(f.urls.begin(), f.urls.end(),
                       [](const FeedUrlPattern& u) { return u.source.starts_with(".info^"); }));
}

TEST_CASE("adblock rules with options, exceptions and cosmetic filters") {
    auto f = parse_adblock_feed(
        "[Adblock Plus 2.0]\n"
        "! comment\n"
        "||pool.example^$third-party\n"
        "@@||good.example^$websocket\n"
        "example.org##.miner-banner\n"
        "example.org#@#.ad\n"
        "/miner.js$script,domain=~miner-docs.example\n"
        "||cdn.example/lib/*.wasm^\n"
        "$websocket,domain=site.example\n"
        "/bad(?=x)/$script\n"
        "/coin[0-9]+\\.js/\n"
        "|https://exact.example/x.js|\n"
        "/x$rewrite=abp-resource:blank-js\n");
    CHECK(has_domain(f.domains, "pool.example"));
    CHECK(has_domain(f.exception_domains, "good.example"));
    CHECK(f.cosmetic_skipped == 2);
    REQUIRE(f.urls.size() == 4);
    CHECK(f.urls[0].excluded_hosts == std::vector<std::string>{"miner-docs.example"});
    CHECK(regex_matches(f.urls[0].regex, "https://site.example/js/miner.js?v=2"));
    CHECK(regex_matches(f.urls[1].regex, "https://cdn.example/lib/cn.wasm"));
    CHECK(regex_matches(f.urls[1].regex, "https://a.cdn.example/lib/x/cn.wasm?x=1"));
    CHECK_FALSE(regex_matches(f.urls[1].regex, "https://notcdn.example/lib/cn.wasm"));
    CHECK_FALSE(regex_matches(f.urls[1].regex, "https://cdn.example/lib/cn.wasmx"));
    CHECK(regex_matches(f.urls[2].regex, "https://x.example/js/COIN42.js"));  // case-insensitive
    CHECK(regex_matches(f.urls[3].regex, "https://exact.example/x.js"));
    CHECK_FALSE(regex_matches(f.urls[3].regex, "https://exact.example/x.js?y"));
    CHECK(issue_at(f, 9));   // options-only rule limited to a site
    CHECK(issue_at(f, 10));  // look-ahead
    CHECK(issue_at(f, 13));  // $rewrite
    CHECK(f.issues.size() == 3);
}

TEST_CASE("adblock pattern conversion is literal except for its operators") {
    std::string why;
    auto re = adblock_pattern_to_regex("/miner.min.js?key=", false, &why);
    REQUIRE(re);
    CHECK(regex_matches(*re, "http://x.example/miner.min.js?key=1"));
    CHECK_FALSE(regex_matches(*re, "http://x.example/minerXmin.js?key=1"));  // '.' is literal
    CHECK_FALSE(adblock_pattern_to_regex("^*", false, &why));
    CHECK(why.find("generic") != std::string::npos);
    CHECK_FALSE(adblock_pattern_to_regex("a|b", false, &why));
}

TEST_CASE("parses a hosts feed") {
    auto f = parse_hosts_feed(read_fixture("nocoin-hosts-head.txt"), {});
    CHECK(f.issues.empty());
    CHECK(has_domain(f.domains, "authedmine.com"));
    CHECK(f.domains.size() + f.comments == 40);
}

TEST_CASE("hosts feed reports malformed lines by number and keeps the rest") {
    auto f = parse_hosts_feed(read_fixture("generated-hosts-malformed.txt"), {});
    CHECK(f.domains.size() == 6);
    CHECK(has_domain(f.domains, "web.example-miner.test"));
    CHECK(has_domain(f.domains, "three.example-miner.test"));
    CHECK(has_domain(f.domains, "ipv6.example-miner.test"));
    CHECK_FALSE(has_domain(f.domains, "localhost"));
    REQUIRE(f.issues.size() == 3);
    CHECK(f.issues[0].line == 5);
    CHECK(f.issues[0].message.find("stratum.example-pool.test:3333") != std::string::npos);
    CHECK(f.issues[1].line == 8);
    CHECK(f.issues[2].line == 9);
}

TEST_CASE("parses the Sentinel User-Agent CSV and keeps Cryptominer rows") {
    auto f = parse_user_agent_csv_feed(read_fixture("UnusualUserAgents.csv"), {});
    REQUIRE(f.user_agents.size() == 2);
    CHECK(f.user_agents[0].term == "XMRig");
    CHECK(f.user_agents[0].line == 2);
    CHECK(f.user_agents[1].term == "ccminer");
    CHECK(f.rows_other_category > 100);
    CHECK(f.issues.empty());
}

TEST_CASE("User-Agent CSV reports bad rows") {
    auto f = parse_user_agent_csv_feed(
        "UserAgent,UserAgentCategory\n"
        "XMRig,Cryptominer\n"
        "\"quoted, with comma\",Cryptominer\n"
        "three,columns,here\n"
        "\"unterminated,Cryptominer\n"
        ",Cryptominer\n",
        {});
    REQUIRE(f.user_agents.size() == 2);
    CHECK(f.user_agents[1].term == "quoted, with comma");
    REQUIRE(f.issues.size() == 3);
    CHECK(f.issues[0].line == 4);
    CHECK(f.issues[1].line == 5);
    CHECK(f.issues[2].line == 6);
}

TEST_CASE("CSV without a header is read as UserAgent,Category and reported") {
    auto f = parse_user_agent_csv_feed("xmr-stak,Cryptominer\n", {});
    CHECK(f.user_agents.size() == 1);
    CHECK(f.issues.size() == 1);
}

TEST_CASE("domain and IP lists report bad lines") {
    auto d = parse_domain_list_feed(
        "# pools\npool.example\n*.wild.example\n10.0.0.1\nbad host\nx:1\n", {});
    CHECK(d.domains.size() == 2);
    CHECK(d.ips.size() == 1);
    REQUIRE(d.issues.size() == 2);
    CHECK(d.issues[0].line == 5);
    CHECK(d.issues[1].line == 6);

    auto ip = parse_ip_list_feed("185.165.169.108\n2001:db8::/32 # v6\n300.1.1.1\n10.0.0.0/40\n\n");
    CHECK(ip.ips.size() == 2);
    REQUIRE(ip.issues.size() == 2);
    CHECK(ip.issues[0].line == 3);
    CHECK(ip.issues[1].line == 4);
}

TEST_CASE("feed format names round-trip") {
    for (auto f : {FeedFormat::Hosts, FeedFormat::Domains, FeedFormat::Adblock,
                   FeedFormat::UserAgentCsv, FeedFormat::IpList})
        CHECK(parse_feed_format(feed_format_name(f)) == f);
    CHECK_FALSE(parse_feed_format("csv"));
}

TEST_CASE("adblock parser treats '# ' lines as comments, not URL patterns") {
    auto f =
        parse_adblock_feed("# Title: a hosts-style header\n##.global-cosmetic\n||pool.example^\n");
    CHECK(f.urls.empty());
    CHECK(f.comments == 1);
    CHECK(f.cosmetic_skipped == 1);
    CHECK(f.domains.size() == 1);
}

TEST_CASE("feeds refuse single-label names that would cover a whole TLD") {
    auto h = parse_hosts_feed("0.0.0.0 com\n0.0.0.0 pool.example\n", {});
    CHECK(h.domains.size() == 1);
    REQUIRE(h.issues.size() == 1);
    CHECK(h.issues[0].line == 1);
    CHECK(parse_domain_list_feed("lan\n", {}).issues.size() == 1);
    CHECK(parse_adblock_feed("||bid^\n").issues.size() == 1);
}

TEST_CASE("line feeds count comment and blank lines alike and cut '#' comments anywhere") {
    const std::string text =
        "# header\n\n   \t\npool.example # inline\n! adblock-style remark\n"
        "\f\v\n#only\nsecond.example\n";
    auto d = parse_domain_list_feed(text, {});
    CHECK(d.lines == 8);
    CHECK(d.comments == 6);  // '!' is a comment in domain lists
    CHECK(d.domains.size() == 2);
    CHECK(d.issues.empty());

    auto h = parse_hosts_feed("0.0.0.0 pool.example # inline\n# c\n\n!second.example\n", {});
    CHECK(h.lines == 4);
    CHECK(h.comments == 2);
    CHECK(h.domains.size() == 1);
    REQUIRE(h.issues.size() == 1);  // hosts files have no '!' comments: "!" is a bad host
    CHECK(h.issues[0].line == 4);

    auto ip = parse_ip_list_feed("# c\n10.0.0.1 # inline\n \n! x\n");
    CHECK(ip.lines == 4);
    CHECK(ip.comments == 2);
    CHECK(ip.ips.size() == 1);
    REQUIRE(ip.issues.size() == 1);
    CHECK(ip.issues[0].line == 4);
}

TEST_CASE("User-Agent CSV header and category compare case-insensitively") {
    auto f = parse_user_agent_csv_feed(
        "useragent,CATEGORY\nXMRig,cryptominer\ncurl,Tool\n  Nheqminer , CryptoMiner \n", {});
    CHECK(f.issues.empty());
    REQUIRE(f.user_agents.size() == 2);
    CHECK(f.user_agents[0].term == "XMRig");
    CHECK(f.user_agents[1].term == "Nheqminer");
}
