// Presets against the published templates (formats/) and the real sample lines (samples/).
#include "weblog/nss_presets.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>

#include "tests/unit/weblog/sample_records.hpp"
#include "tests/unit/weblog/test_files.hpp"
#include "weblog/nss_format.hpp"
#include "weblog/nss_line_parser.hpp"

using namespace minewall::weblog;
using namespace minewall::weblog::test;

namespace {

std::string render_preset(std::string_view preset, const WebRecord& r) {
    const auto f = preset_format(preset);
    REQUIRE(f);
    auto compiled = NssFormat::compile(*f);
    REQUIRE_MESSAGE(compiled.format, compiled.error);
    return compiled.format->render(r);
}

using Pairs = std::vector<std::pair<std::string, std::string>>;

// "key":"%s{token}" pairs of a JSON format string, in order.
Pairs json_format_pairs(const std::string& format) {
    Pairs pairs;
    static const std::regex re(R"re("([A-Za-z_0-9]+)" ?: ?"?([^",\\]*)"?)re");
    for (std::sregex_iterator it(format.begin(), format.end(), re), end; it != end; ++it) {
        pairs.emplace_back((*it)[1], (*it)[2]);
    }
    return pairs;
}

// \tkey=value pairs of a tab key=value format string, in order.
Pairs kv_format_pairs(const std::string& format) {
    Pairs pairs;
    static const std::regex re(R"re(\\t([A-Za-z_0-9]+)=((?:[^\\]|\\[^t])*))re");
    for (std::sregex_iterator it(format.begin(), format.end(), re), end; it != end; ++it) {
        pairs.emplace_back((*it)[1], (*it)[2]);
    }
    return pairs;
}

std::vector<std::string> keys_of(const Pairs& pairs) {
    std::vector<std::string> keys;
    for (const auto& p : pairs)
        keys.push_back(p.first);
    return keys;
}

std::set<std::string> key_set(const ParsedLogRecord& rec) {
    std::set<std::string> keys;
    for (const auto& [k, v] : rec.fields)
        keys.insert(k);
    return keys;
}

ParsedLogRecord parse_one(const std::string& line, LogSyntax syntax = LogSyntax::Auto) {
    auto parsed = parse_nss_line(line, syntax);
    REQUIRE_MESSAGE(parsed.error.empty(), parsed.error, " in: ", line);
    REQUIRE(parsed.records.size() == 1);
    return parsed.records.front();
}

bool all_digits(const std::string& v) {
    return !v.empty() &&
           std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Where the sample has a number, our line has a number, or NSS's word for "not known" (NA for
// no status, None for the fields minewall never knows, like app_risk_score).
void check_value_shapes(const ParsedLogRecord& sample, const ParsedLogRecord& ours) {
    static const std::regex datetime(R"(\d{4}-\d\d-\d\d[ ,]\d\d:\d\d:\d\d)");
    for (const auto& [key, value] : sample.fields) {
        const std::string* mine = ours.find(key);
        if (mine == nullptr) continue;
        CHECK_MESSAGE(!mine->empty(), key);
        if (all_digits(value)) {
            CHECK_MESSAGE((all_digits(*mine) || *mine == "NA" || *mine == "None"), key, " = ",
                          *mine);
        }
        if (std::regex_match(value, datetime)) {
            CHECK_MESSAGE(std::regex_match(*mine, datetime), key, " = ", *mine);
        }
    }
}

std::set<std::string> minus(std::set<std::string> a, const std::set<std::string>& b) {
    for (const auto& k : b)
        a.erase(k);
    return a;
}

}  // namespace

TEST_CASE("preset names are listed and looked up") {
    const auto names = preset_names();
    for (std::string_view n : {"splunk", "splunk-hec", "sentinel-cef", "qradar-leef", "json"}) {
        CHECK(std::find(names.begin(), names.end(), n) != names.end());
        CHECK(preset_format(n));
    }
    CHECK_FALSE(preset_format("nope"));
}

TEST_CASE("every preset and every published format compiles") {
    for (const NssPreset& p : nss_presets()) {
        const auto c = NssFormat::compile(p.format);
        CHECK_MESSAGE(c.format, p.name, ": ", c.error);
        if (c.format) CHECK(c.format->is_json() == p.json);
    }
    for (const auto& entry : std::filesystem::directory_iterator(data_path("formats"))) {
        if (entry.path().extension() != ".txt") continue;
        for (const std::string& line : split_lines(read_text(entry.path()))) {
            const auto c = NssFormat::compile(line);
            CHECK_MESSAGE(c.format, entry.path().filename().string(), ": ", c.error);
        }
    }
}

TEST_CASE("verbatim presets equal Zscaler's published templates") {
    CHECK(*preset_format("sentinel-cef") == read_format("sentinel_cef_nss-web.cef.txt"));
    CHECK(*preset_format("sentinel-cloudnss") ==
          read_format("sentinel_cloudnss_json_cloud-nss-web.fof.txt"));
    CHECK(*preset_format("qradar-leef") == read_format("qradar_leef_rapid7.txt"));
    CHECK(*preset_format("elastic") == read_format("elastic_zscaler_zia_web_latest.txt"));
}

TEST_CASE("splunk-hec preset has the Splunk JSON template's keys and tokens") {
    const Pairs ours = json_format_pairs(*preset_format("splunk-hec"));
    const Pairs sumo = json_format_pairs(read_format("splunk_hec_json_sumo_vm_nss.txt"));
    // Envelope: sourcetype, source, time; then the event keys as published, then src/dest/dest_ip.
    REQUIRE(ours.size() == sumo.size() + 5);
    CHECK(ours[0] == std::pair<std::string, std::string>{"sourcetype", "zscalernss-web"});
    CHECK(ours[1] == std::pair<std::string, std::string>{"source", "zscaler"});
    CHECK(ours[2].first == "time");
    CHECK(Pairs(ours.begin() + 3, ours.begin() + 3 + static_cast<long>(sumo.size()) - 1) ==
          Pairs(sumo.begin() + 1, sumo.end()));
    CHECK(Pairs(ours.end() - 3, ours.end()) ==
          Pairs{{"src", "%s{cip}"}, {"dest", "%s{ehost}"}, {"dest_ip", "%s{sip}"}});
    // Same key order as the Cloud NSS (Datadog) variant of the template.
    const Pairs datadog = json_format_pairs(read_format("splunk_hec_json_datadog.txt"));
    CHECK(keys_of(Pairs(sumo.begin(), sumo.end())) == keys_of(datadog));
}

TEST_CASE("splunk preset has the Splunk template key set as tab key=value") {
    const std::string f = *preset_format("splunk");
    CHECK(f.starts_with("%d{yy}-%02d{mth}-%02d{dd} %02d{hh}:%02d{mm}:%02d{ss}\\treason="));
    const Pairs ours = kv_format_pairs(f);
    const Pairs hec = json_format_pairs(read_format("splunk_hec_json_datadog.txt"));
    std::set<std::string> expected;
    for (const auto& [k, v] : hec) {
        if (k != "sourcetype" && k != "event" && k != "datetime") expected.insert(k);
    }
    expected.insert({"md5", "src", "dest", "dest_ip"});
    const auto keys = keys_of(ours);
    CHECK(std::set<std::string>(keys.begin(), keys.end()) == expected);
    CHECK(keys.size() == expected.size());  // no duplicates
    // Literals as NSS writes them.
    CHECK(std::find(ours.begin(), ours.end(),
                    std::pair<std::string, std::string>{"vendor", "Zscaler"}) != ours.end());
    CHECK(std::find(ours.begin(), ours.end(),
                    std::pair<std::string, std::string>{"product", "NSS"}) != ours.end());
    // The Splunk kv sample (SC4S) has the same keys in the same order, up to md5.
    const auto sample = parse_one(split_lines(read_data("02_splunk_kv_tab_sc4s.log"))[1]);
    std::vector<std::string> sample_keys;
    for (const auto& [k, v] : sample.fields)
        sample_keys.push_back(k);
    REQUIRE(sample_keys.front() == "datetime");
    sample_keys.erase(sample_keys.begin());
    CHECK(std::vector<std::string>(
              keys.begin(), keys.begin() + static_cast<long>(sample_keys.size())) == sample_keys);
}

TEST_CASE("golden line: blocked miner in the splunk preset") {
    const std::string line = render_preset("splunk", blocked_miner_record());
    CHECK(line ==
          "2023-10-16 22:55:48\treason=IPS block: Cryptomining traffic\tevent_id=42\t"
          "protocol=HTTP_PROXY\taction=Blocked\ttransactionsize=200\tresponsesize=80\t"
          "requestsize=120\turlcategory=Cryptomining & Blockchain\tserverip=0.0.0.0\t"
          "clienttranstime=0\trequestmethod=CONNECT\trefererURL=None\t"
          "useragent=XMRig/6.20.0 (Linux x86_64) libuv/1.44.2 gcc/12.2.0\tproduct=NSS\t"
          "location=HQ\tClientIP=10.0.0.5\tstatus=403\tuser=jdoe@example.com\t"
          "url=pool.supportxmr.com:443\tvendor=Zscaler\thostname=pool.supportxmr.com\t"
          "clientpublicIP=10.0.0.5\tthreatcategory=MalwareTool\tthreatname=XMRig CoinMiner\t"
          "filetype=None\tappname=None\tpagerisk=95\tdepartment=Research\t"
          "urlsupercategory=Security\tappclass=None\tdlpengine=None\t"
          "urlclass=Advanced Security Risk\tthreatclass=Advanced Threats\tdlpdictionaries=None\t"
          "fileclass=None\tbwthrottle=NO\tservertranstime=0\tmd5=None\tcontenttype=Other\t"
          "unscannabletype=None\tdeviceowner=jdoe\tdevicehostname=LAB-PC-7\tsrc=10.0.0.5\t"
          "dest=pool.supportxmr.com\tdest_ip=0.0.0.0\n");
}

TEST_CASE("golden line: sentinel-cef header and leading extension") {
    const std::string line = render_preset("sentinel-cef", blocked_miner_record());
    CHECK(line.starts_with(
        "Oct 16 22:55:48 zscaler-nss CEF:0|Zscaler|NSSWeblog|5.7|Blocked|"
        "IPS block: Cryptomining traffic|3|act=Blocked Severity=3 "
        "name=IPS block: Cryptomining traffic deviceEventClassId=Blocked app=HTTP_PROXY "
        "cat=Cryptomining & Blockchain dhost=pool.supportxmr.com dst=0.0.0.0 src=10.0.0.5 "
        "in_bytes=80 in=80 outcome=403 out=120 request=pool.supportxmr.com:443 "
        "rt=Oct 16 2023 22:55:48 sourceTranslatedAddress=10.0.0.5 "
        "requestClientApplication=XMRig/6.20.0 (Linux x86_64) libuv/1.44.2 gcc/12.2.0 "
        "requestMethod=CONNECT suser=jdoe@example.com spriv=HQ externalId=42 "));
    CHECK(line.ends_with(" productversion=None nsssvcip=0.0.0.0\n"));
}

TEST_CASE("splunk line parses back to the keys of the real splunk sample") {
    const auto ours =
        parse_one(render_preset("splunk", blocked_miner_record()), LogSyntax::SplunkKv);
    for (const std::string& line : split_lines(read_data("02_splunk_kv_tab_sc4s.log"))) {
        const auto sample = parse_one(line, LogSyntax::SplunkKv);
        check_value_shapes(sample, ours);
    }
    const auto sample2 = parse_one(split_lines(read_data("02_splunk_kv_tab_sc4s.log"))[1]);
    CHECK(minus(key_set(sample2), key_set(ours)).empty());
    CHECK(minus(key_set(ours), key_set(sample2)) ==
          std::set<std::string>{"contenttype", "unscannabletype", "deviceowner", "devicehostname",
                                "src", "dest", "dest_ip"});
}

TEST_CASE("splunk-hec line parses back to the keys of the real zscalernss-web JSON sample") {
    const auto ours = parse_one(render_preset("splunk-hec", blocked_miner_record()));
    const auto sample = parse_one(read_data("06_sumo_zscalernss-web_json.json"));
    check_value_shapes(sample, ours);
    // The sample's feed used the obfuscated odeviceowner/odevicehostname variants.
    CHECK(minus(key_set(sample), key_set(ours)) ==
          std::set<std::string>{"odeviceowner", "odevicehostname"});
    CHECK(minus(key_set(ours), key_set(sample)) ==
          std::set<std::string>{"source", "time", "deviceowner", "devicehostname", "src", "dest",
                                "dest_ip"});
}

TEST_CASE("sentinel lines parse back to the keys of Zscaler's Sentinel sample") {
    const auto sample = parse_one(read_data("03_sentinel_cloudnss_json_sample-web.log"));
    const auto cloud = parse_one(render_preset("sentinel-cloudnss", blocked_miner_record()));
    CHECK(key_set(cloud) == key_set(sample));
    check_value_shapes(sample, cloud);
    // The CEF template carries the same extension keys; the envelope members of the JSON
    // become the CEF header, and rt is a full date instead of the month.
    const auto cef =
        parse_one(render_preset("sentinel-cef", blocked_miner_record()), LogSyntax::Cef);
    const std::set<std::string> header{"SyslogHeader",  "CEFVersion",    "DeviceVendor",
                                       "DeviceProduct", "DeviceVersion", "DeviceEventClassID",
                                       "Activity",      "LogSeverity"};
    CHECK(minus(key_set(cef), header) ==
          minus(key_set(sample), {"TimeGenerated", "sourcetype", "vendor", "product", "version"}));
    check_value_shapes(sample, cef);
}

TEST_CASE("elastic and json lines parse back to the keys of the elastic samples") {
    const auto latest = parse_one(read_data("08_elastic_readme_latest_web_sample.json"));
    const auto ours = parse_one(render_preset("elastic", blocked_miner_record()));
    CHECK(key_set(ours) == key_set(latest));
    check_value_shapes(latest, ours);
    const auto json = parse_one(render_preset("json", blocked_miner_record()));
    for (const std::string& line : split_lines(read_data("05_elastic_zscaler_zia_test-web.log"))) {
        const auto sample = parse_one(line);
        CHECK(minus(key_set(sample), key_set(json)).empty());
        check_value_shapes(sample, json);
    }
}

TEST_CASE("json preset carries every catalog field except the b64 and o re-encodings") {
    const auto json = parse_one(render_preset("json", allowed_https_record()));
    std::size_t expected = 1;  // sourcetype
    for (const FieldDef& f : nss_fields()) {
        if (f.encoding != FieldEncoding::Base64 && f.encoding != FieldEncoding::Obfuscated) {
            ++expected;
            CHECK_MESSAGE(json.find(f.name) != nullptr, f.name);
        }
    }
    CHECK(json.fields.size() == expected);
    for (const auto& [k, v] : json.fields)
        CHECK_MESSAGE(!v.empty(), k);
}

TEST_CASE("qradar-leef line parses back to the LEEF template's keys") {
    const auto leef =
        parse_one(render_preset("qradar-leef", blocked_miner_record()), LogSyntax::Leef);
    CHECK(leef.value_or("DeviceVendor") == "Zscaler");
    CHECK(leef.value_or("DeviceProduct") == "NSS");
    CHECK(leef.value_or("cat") == "Blocked");
    CHECK(leef.value_or("src") == "10.0.0.5");
    CHECK(leef.value_or("threatname") == "XMRig CoinMiner");
    CHECK(leef.value_or("devTime") == "Oct 16 2023 22:55:48 GMT");
    CHECK(leef.fields.size() == 6 + 34);  // syslog header + 5 LEEF header fields + 34 attributes
}

TEST_CASE("json presets stay valid single-line JSON for hostile values") {
    WebRecord r = blocked_miner_record();
    static const char ua[] = "\"}\n{\"action\":\"Allowed\\\x00\x01\xff\xfe";
    r.user_agent.assign(ua, sizeof ua - 1);  // with an embedded NUL
    r.login = "evil\"user\r\n\t\\";
    r.url = "host/\"><script>\n\x80";
    r.host = "h\"ost";
    r.referer = "\\\"";
    r.reason = std::string(1, '\0');
    r.threat_name = "\xc0\xaf miner \xf4\x90\x80\x80";
    for (const NssPreset& p : nss_presets()) {
        if (!p.json) continue;
        const std::string line = render_preset(p.name, r);
        CHECK(line.back() == '\n');
        CHECK(std::count(line.begin(), line.end(), '\n') == 1);
        const auto doc = nlohmann::json::parse(line, nullptr, false);
        CHECK_MESSAGE(!doc.is_discarded(), p.name, ": ", line);
    }
}

TEST_CASE("non-json presets keep hostile values on one line") {
    WebRecord r = blocked_miner_record();
    r.user_agent = "a\nb\rc\td";
    r.login = "x\ny";
    for (std::string_view preset : {"splunk", "sentinel-cef", "qradar-leef"}) {
        const std::string line = render_preset(preset, r);
        CHECK(std::count(line.begin(), line.end(), '\n') == 1);
        CHECK(line.find('\r') == std::string::npos);
    }
}
