// Integration tests for the README's web-log sink claims: Splunk HEC over HTTPS, syslog over
// TCP and TLS configured in the configuration file, and the exact record shape of the
// splunk-hec and qradar-leef presets that SIEM content relies on, as the real binary writes
// them for a real blocked transaction.
#include <doctest/doctest.h>

#include <chrono>
#include <cstdlib>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/log_receivers.hpp"
#include "tests/support/minewall_process.hpp"
#include "tests/support/nss_log.hpp"
#include "tests/support/origin_server.hpp"

using namespace minewall::testing;
using namespace std::chrono_literals;

namespace {

const std::string kMinerAgent = "XMRig/6.21.0";

// One request blocked by the miner User-Agent rule (a 403 from minewall).
void blocked_request(const MinewallProcess& proxy, const OriginServer& origin) {
    auto r = curl({"-x", proxy.proxy_url(), "-A", kMinerAgent, "-o", "/dev/null", "-w",
                   "%{http_code}", origin.url("/hello")});
    REQUIRE(r.out == "403");
}

// RFC 6587 octet counting: "<length> <record>" repeated; nullopt when a frame is malformed.
std::optional<std::vector<std::string>> octet_frames(const std::string& stream) {
    std::vector<std::string> frames;
    std::size_t at = 0;
    while (at < stream.size()) {
        auto space = stream.find(' ', at);
        if (space == std::string::npos || space == at) return std::nullopt;
        const auto digits = stream.substr(at, space - at);
        if (digits.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
        const std::size_t length = std::stoul(digits);
        if (space + 1 + length > stream.size()) return std::nullopt;
        frames.push_back(stream.substr(space + 1, length));
        at = space + 1 + length;
    }
    return frames;
}

std::string feed(const std::string& settings) {
    return "weblog:\n  feeds:\n" + settings;
}

long long now_epoch() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// The key set of Zscaler's Splunk JSON template (VM-NSS variant, see
// ../shared/reference/nss-web/formats/splunk_hec_json_sumo_vm_nss.txt), in its order, then
// src/dest/dest_ip that ESCU's searches group by.
const std::vector<std::string> kSplunkEventKeys = {"datetime",
                                                   "reason",
                                                   "event_id",
                                                   "protocol",
                                                   "action",
                                                   "transactionsize",
                                                   "responsesize",
                                                   "requestsize",
                                                   "urlcategory",
                                                   "serverip",
                                                   "clienttranstime",
                                                   "requestmethod",
                                                   "refererURL",
                                                   "useragent",
                                                   "product",
                                                   "location",
                                                   "ClientIP",
                                                   "status",
                                                   "user",
                                                   "url",
                                                   "vendor",
                                                   "hostname",
                                                   "clientpublicIP",
                                                   "threatcategory",
                                                   "threatname",
                                                   "filetype",
                                                   "appname",
                                                   "pagerisk",
                                                   "department",
                                                   "urlsupercategory",
                                                   "appclass",
                                                   "dlpengine",
                                                   "urlclass",
                                                   "threatclass",
                                                   "dlpdictionaries",
                                                   "fileclass",
                                                   "bwthrottle",
                                                   "servertranstime",
                                                   "contenttype",
                                                   "unscannabletype",
                                                   "deviceowner",
                                                   "devicehostname",
                                                   "src",
                                                   "dest",
                                                   "dest_ip"};

// Checks a splunk-hec record: the HEC envelope, the template's keys in order, every value a
// non-empty string (ESCU's stats ... BY drops events with a null field), and the verdict.
void check_splunk_hec_record(const std::string& line, std::uint16_t origin_port) {
    INFO(line);
    auto record = nlohmann::ordered_json::parse(line, nullptr, false);
    REQUIRE(record.is_object());
    std::vector<std::string> envelope;
    for (const auto& [key, value] : record.items())
        envelope.push_back(key);
    CHECK(envelope == std::vector<std::string>{"sourcetype", "source", "time", "event"});
    CHECK(record["sourcetype"] == "zscalernss-web");
    CHECK(record["source"] == "zscaler");  // ESCU's zscaler_proxy macro filters on it
    REQUIRE(record["time"].is_number_integer());
    CHECK(std::llabs(record["time"].get<long long>() - now_epoch()) < 300);
    const auto& event = record["event"];
    REQUIRE(event.is_object());
    std::vector<std::string> keys;
    for (const auto& [key, value] : event.items()) {
        keys.push_back(key);
        CHECK_MESSAGE(value.is_string(), key);
        CHECK_MESSAGE(!value.get<std::string>().empty(), key);
    }
    CHECK(keys == kSplunkEventKeys);
    CHECK(event["action"] == "Blocked");
    CHECK(event["reason"] == "IPS block: Cryptomining traffic");
    CHECK(event["threatname"] == "CoinMiner.UA.XMRig");
    CHECK(event["status"] == "403");
    CHECK(event["useragent"] == kMinerAgent);
    CHECK(event["requestmethod"] == "GET");
    CHECK(event["url"] == "127.0.0.1:" + std::to_string(origin_port) + "/hello");
    CHECK(event["ClientIP"] == "127.0.0.1");
    CHECK(event["src"] == "127.0.0.1");
    CHECK(event["user"] == "None");
    CHECK(event["vendor"] == "Zscaler");
    CHECK(event["product"] == "NSS");
    CHECK(std::regex_match(event["datetime"].get<std::string>(),
                           std::regex(R"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)")));
    CHECK(event["event_id"].get<std::string>().find_first_not_of("0123456789") ==
          std::string::npos);
}

}  // namespace

TEST_CASE(
    "splunk-hec over https: the collector gets each record in a HEC envelope with the token") {
    TestCertificates certificates;
    HttpLogReceiver collector(&certificates);
    OriginServer origin;
    const std::string token = "5f0c2a3e-8d1b-4c7a-9e61-0b7d2f4a1c33";
    MinewallProcess proxy(feed("    - preset: splunk-hec\n      destination: https://127.0.0.1:" +
                               std::to_string(collector.port()) +
                               "/services/collector/event\n      token: " + token +
                               "\n      ca_file: " + certificates.ca_file() + "\n"));
    blocked_request(proxy, origin);
    // Delivered while minewall runs (batches wait at most a second), not only at shutdown.
    REQUIRE_MESSAGE(collector.wait_requests(1, 10s), proxy.log());
    CHECK(collector.tls_handshakes() >= 1);
    auto requests = collector.requests();
    CHECK(requests[0].method == "POST");
    CHECK(requests[0].target == "/services/collector/event");
    CHECK(requests[0].authorization == "Splunk " + token);
    CHECK(requests[0].content_type == "application/json");
    auto records = lines_of(requests[0].body);
    REQUIRE(records.size() == 1);
    check_splunk_hec_record(records[0], origin.port());
    REQUIRE(proxy.stop() == 0);
    CHECK(statistic(proxy.log(), "weblog_written") == 1);
}

TEST_CASE("syslog feeds over TCP from the configuration file: newline and octet-counted framing") {
    StreamLogReceiver lines_receiver;
    StreamLogReceiver octets_receiver;
    OriginServer origin;
    MinewallProcess proxy(feed("    - preset: splunk\n      destination: tcp://127.0.0.1:" +
                               std::to_string(lines_receiver.port()) +
                               "\n    - preset: splunk\n      destination: tcp://127.0.0.1:" +
                               std::to_string(octets_receiver.port()) +
                               "\n      framing: octet-counting\n"));
    blocked_request(proxy, origin);
    REQUIRE(curl({"-x", proxy.proxy_url(), origin.url("/hello")}).out == "hello from origin\n");
    REQUIRE_MESSAGE(lines_receiver.wait_for("\tvendor=Zscaler\t", 2, 10s), proxy.log());
    REQUIRE(octets_receiver.wait_for("\tvendor=Zscaler\t", 2, 10s));

    const auto received = lines_receiver.received();
    CHECK(received.back() == '\n');
    auto lines = lines_of(received);
    REQUIRE(lines.size() == 2);
    CHECK(has_pair(lines[0], "action=Blocked"));
    CHECK(has_pair(lines[0], "threatname=CoinMiner.UA.XMRig"));
    CHECK(has_pair(lines[1], "action=Allowed"));
    CHECK(has_pair(lines[1], "status=200"));

    // The same records, each framed by its length and without a newline.
    auto frames = octet_frames(octets_receiver.received());
    REQUIRE_MESSAGE(frames.has_value(), octets_receiver.received());
    REQUIRE(frames->size() == 2);
    CHECK((*frames)[0] == lines[0]);
    CHECK((*frames)[1] == lines[1]);
    REQUIRE(proxy.stop() == 0);
}

TEST_CASE("a syslog feed over TLS delivers to a receiver whose certificate the feed's CA signed") {
    TestCertificates certificates;
    StreamLogReceiver receiver(&certificates);
    OriginServer origin;
    MinewallProcess proxy(feed("    - preset: sentinel-cef\n      destination: tls://127.0.0.1:" +
                               std::to_string(receiver.port()) +
                               "\n      ca_file: " + certificates.ca_file() + "\n"));
    blocked_request(proxy, origin);
    REQUIRE_MESSAGE(receiver.wait_for("\n", 1, 10s), proxy.log());
    CHECK(receiver.tls_handshakes() >= 1);
    auto lines = lines_of(receiver.received());
    REQUIRE(lines.size() == 1);
    CHECK(lines[0].find(" CEF:0|Zscaler|NSSWeblog|") != std::string::npos);
    CHECK(lines[0].find(" requestClientApplication=" + kMinerAgent + " ") != std::string::npos);
    CHECK(lines[0].find(" cs5=CoinMiner.UA.XMRig ") != std::string::npos);
    REQUIRE(proxy.stop() == 0);
}

TEST_CASE("a TLS feed refuses a receiver whose certificate it cannot verify and keeps the record") {
    TestCertificates certificates;
    TestCertificates other;  // the feed trusts this CA only
    StreamLogReceiver receiver(&certificates);
    OriginServer origin;
    MinewallProcess proxy(feed("    - preset: splunk\n      destination: tls://127.0.0.1:" +
                               std::to_string(receiver.port()) +
                               "\n      ca_file: " + other.ca_file() + "\n"));
    blocked_request(proxy, origin);
    // minewall's side of the handshake rejected the certificate: the receiver saw it fail.
    REQUIRE_MESSAGE(receiver.wait_failed_handshakes(1, 10s), proxy.log());
    REQUIRE(proxy.stop() == 0);
    CHECK(receiver.tls_handshakes() == 0);
    CHECK(receiver.received().empty());
    CHECK(statistic(proxy.log(), "weblog_written") == 0);
    // Persisted for the next start instead of being sent to an unverified receiver.
    auto spill = read_file(proxy.dir().file("state") + "/weblog-buffer/splunk.spill");
    CHECK(spill.find("threatname=CoinMiner.UA.XMRig") != std::string::npos);
}

TEST_CASE("splunk-hec and qradar-leef presets: the record shape SIEM content needs") {
    TempDir logs;
    OriginServer origin;
    MinewallProcess proxy(
        feed("    - preset: splunk-hec\n      destination: " + logs.file("hec.json") +
             "\n    - preset: qradar-leef\n      destination: " + logs.file("leef.log") + "\n"));
    blocked_request(proxy, origin);
    REQUIRE(proxy.stop() == 0);

    auto hec = nss_log_lines(logs.file("hec.json"));
    REQUIRE(hec.size() == 1);
    check_splunk_hec_record(hec[0], origin.port());

    auto leef = nss_log_lines(logs.file("leef.log"));
    REQUIRE(leef.size() == 1);
    INFO(leef[0]);
    // A syslog-style header, then LEEF 1.0 with the NSS vendor/product/version and the reason
    // as the event id, then tab-separated key=value attributes.
    const std::string header =
        " zscaler-nss: LEEF:1.0|Zscaler|NSS|4.1|IPS block: Cryptomining traffic|";
    const auto at = leef[0].find(header);
    REQUIRE(at != std::string::npos);
    CHECK(std::regex_match(leef[0].substr(0, at),
                           std::regex(R"([A-Z][a-z]{2} \d\d \d\d:\d\d:\d\d)")));
    std::vector<std::string> keys;
    std::map<std::string, std::string> values;
    std::istringstream attributes(leef[0].substr(at + header.size()));
    for (std::string pair; std::getline(attributes, pair, '\t');) {
        auto eq = pair.find('=');
        REQUIRE_MESSAGE(eq != std::string::npos, pair);
        keys.push_back(pair.substr(0, eq));
        values[pair.substr(0, eq)] = pair.substr(eq + 1);
    }
    // The Rapid7/QRadar "QRadar LEEF" template's keys, in its order
    // (../shared/reference/nss-web/formats/qradar_leef_rapid7.txt).
    const std::vector<std::string> expected = {
        "cat",         "devTime",      "devTimeFormat",    "src",       "dst",      "srcPostNAT",
        "realm",       "usrName",      "srcBytes",         "dstBytes",  "role",     "policy",
        "url",         "recordid",     "bwthrottle",       "useragent", "referer",  "hostname",
        "appproto",    "urlcategory",  "urlsupercategory", "urlclass",  "appclass", "appname",
        "malwaretype", "malwareclass", "threatname",       "riskscore", "dlpdict",  "dlpeng",
        "fileclass",   "filetype",     "reqmethod",        "respcode"};
    CHECK(keys == expected);
    for (const auto& [key, value] : values)
        CHECK_MESSAGE(!value.empty(), key);
    CHECK(values["cat"] == "Blocked");
    CHECK(values["policy"] == "IPS block: Cryptomining traffic");
    CHECK(values["threatname"] == "CoinMiner.UA.XMRig");
    CHECK(values["respcode"] == "403");
    CHECK(values["reqmethod"] == "GET");
    CHECK(values["useragent"] == kMinerAgent);
    CHECK(values["src"] == "127.0.0.1");
    CHECK(values["usrName"] == "None");
    CHECK(values["url"] == "127.0.0.1:" + std::to_string(origin.port()) + "/hello");
    CHECK(values["devTimeFormat"] == "MMM dd yyyy HH:mm:ss z");
    // devTime must parse with devTimeFormat (the feed's zone is GMT by default).
    CHECK(std::regex_match(values["devTime"],
                           std::regex(R"([A-Z][a-z]{2} \d\d \d{4} \d\d:\d\d:\d\d GMT)")));
}
