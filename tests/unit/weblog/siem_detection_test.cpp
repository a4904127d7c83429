// The two detections the presets exist for, replayed on our own lines:
// Splunk ESCU "Zscaler CryptoMiner Downloaded Threat Blocked":
//   `zscaler_proxy` action=blocked threatname=*miner*
//   | stats count min(_time) max(_time) BY action deviceowner user urlcategory url src dest
// Sentinel "A host is potentially running a crypto miner (ASIM Web Session schema)" through
// the ASIM Zscaler parser (DeviceVendor == "Zscaler", DeviceProduct == "NSSWeblog").
#include <doctest/doctest.h>

#include <algorithm>
#include <cctype>

#include "tests/unit/weblog/sample_records.hpp"
#include "text/ascii_text.hpp"
#include "weblog/nss_format.hpp"
#include "weblog/nss_line_parser.hpp"
#include "weblog/nss_presets.hpp"
#include "weblog/nss_value_encoding.hpp"
#include "weblog/text_glob.hpp"

using namespace minewall::weblog;
using namespace minewall::weblog::test;

namespace {

std::vector<WebRecord> mixed_traffic() {
    std::vector<WebRecord> records;
    WebRecord miner = blocked_miner_record(1);
    records.push_back(miner);
    WebRecord miner2 = blocked_miner_record(2);
    miner2.login.clear();  // unauthenticated: user renders as None, never empty
    miner2.device_owner.clear();
    miner2.threat_name = "JS/CoinHive.MINER";
    miner2.protocol = "HTTPS";
    miner2.method = "GET";
    miner2.url = "coinhive.com/lib/coinhive.min.js";
    miner2.host = "coinhive.com";
    records.push_back(miner2);
    WebRecord miner3 = blocked_miner_record(3);
    miner3.user_agent = "ccminer/2.3.1";
    miner3.client_ip = "10.0.0.9";
    records.push_back(miner3);
    WebRecord eicar = blocked_miner_record(4);
    eicar.threat_name = "EICAR Test File";
    records.push_back(eicar);
    WebRecord allowed_miner_name = blocked_miner_record(5);
    allowed_miner_name.blocked = false;
    allowed_miner_name.reason = "Allowed";
    records.push_back(allowed_miner_name);
    records.push_back(allowed_https_record(6));
    return records;
}

std::vector<ParsedLogRecord> render_and_parse(std::string_view preset,
                                              const std::vector<WebRecord>& records) {
    auto compiled = NssFormat::compile(*preset_format(preset));
    REQUIRE(compiled.format);
    std::vector<ParsedLogRecord> events;
    for (const WebRecord& r : records) {
        auto parsed = parse_nss_line(compiled.format->render(r), *log_syntax_for_preset(preset));
        REQUIRE_MESSAGE(parsed.error.empty(), parsed.error);
        events.push_back(parsed.records.at(0));
    }
    return events;
}

// Splunk field=value: the field exists and matches case-insensitively with wildcards.
bool splunk_match(const ParsedLogRecord& e, std::string_view field, std::string_view pattern) {
    const std::string* v = e.find(field);
    return v != nullptr && glob_matches(pattern, *v);
}

void check_escu_selects_only_blocked_miners(std::string_view preset) {
    const auto events = render_and_parse(preset, mixed_traffic());
    std::vector<std::string> selected;
    for (const ParsedLogRecord& e : events) {
        if (splunk_match(e, "action", "blocked") && splunk_match(e, "threatname", "*miner*")) {
            selected.push_back(e.value_or("event_id"));
            // stats ... BY drops events where any BY field is null: all must be present.
            for (std::string_view by :
                 {"action", "deviceowner", "user", "urlcategory", "url", "src", "dest"}) {
                const std::string* v = e.find(by);
                REQUIRE_MESSAGE(v != nullptr, by);
                CHECK_MESSAGE(!v->empty(), by);
            }
        }
    }
    CHECK(selected == std::vector<std::string>{"1", "2", "3"});
}

// KQL `has`: whole-term, case-insensitive (terms split on non-alphanumerics).
bool kql_has(std::string_view text, std::string_view term) {
    std::string t;
    for (std::size_t i = 0; i <= text.size(); ++i) {
        if (i < text.size() && std::isalnum(static_cast<unsigned char>(text[i]))) {
            t.push_back(text[i]);
            continue;
        }
        if (minewall::text::iequals(t, term)) return true;
        t.clear();
    }
    return false;
}

}  // namespace

TEST_CASE("escu cryptominer search selects blocked miners in the splunk preset") {
    check_escu_selects_only_blocked_miners("splunk");
}

TEST_CASE("escu cryptominer search selects blocked miners in the splunk-hec preset") {
    check_escu_selects_only_blocked_miners("splunk-hec");
    // The zscaler_proxy macro: source=zscaler sourcetype=zscalernss-web (HEC envelope).
    const auto events = render_and_parse("splunk-hec", {blocked_miner_record()});
    CHECK(events[0].value_or("sourcetype") == "zscalernss-web");
    CHECK(events[0].value_or("source") == "zscaler");
    CHECK(events[0].value_or("time") == "1697496948");
}

TEST_CASE("splunk kv carries the literals SC4S routes zscalernss-web on") {
    const auto events = render_and_parse("splunk", {blocked_miner_record()});
    CHECK(events[0].value_or("vendor") == "Zscaler");
    CHECK(events[0].value_or("product") == "NSS");
    CHECK(events[0].value_or("src") == "10.0.0.5");
    CHECK(events[0].value_or("dest") == "pool.supportxmr.com");
    CHECK(events[0].value_or("dest_ip") == "0.0.0.0");
}

TEST_CASE("sentinel asim zscaler parser and the crypto miner rule see the cef fields") {
    auto records = mixed_traffic();
    WebRecord tricky = blocked_miner_record(7);
    tricky.user_agent = "XMRig/6.21 (k=v; a\\b) x=y";
    tricky.url = "pool.example.net/path?a=b&c=%41";
    records.push_back(tricky);
    const auto events = render_and_parse("sentinel-cef", records);
    std::vector<std::string> hits;
    for (std::size_t i = 0; i < events.size(); ++i) {
        const ParsedLogRecord& e = events[i];
        const WebRecord& r = records[i];
        // vimWebSessionZscalerZIA: case-sensitive equality on the CEF header.
        REQUIRE(e.value_or("DeviceVendor") == "Zscaler");
        REQUIRE(e.value_or("DeviceProduct") == "NSSWeblog");
        CHECK(e.value_or("requestClientApplication") == r.user_agent);  // raw UA
        CHECK(e.value_or("src") == r.client_ip);                        // SrcIpAddr
        CHECK(e.value_or("suser") == (r.login.empty() ? "None" : r.login));
        // Url = tolower(app) + "://" + url_decode(request)
        std::string app = e.value_or("app");
        std::transform(app.begin(), app.end(), app.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        const std::string url = app + "://" + percent_decode(e.value_or("request"));
        if (i == 0) CHECK(url == "http_proxy://pool.supportxmr.com:443");
        if (i == 6) CHECK(url == "http_proxy://pool.example.net/path?a=b&c=A");
        const std::string ua = e.value_or("requestClientApplication");
        if (kql_has(ua, "XMRig") || kql_has(ua, "ccminer"))
            hits.push_back(e.value_or("externalId"));
    }
    CHECK(hits == std::vector<std::string>{"1", "2", "3", "4", "5", "7"});
}
