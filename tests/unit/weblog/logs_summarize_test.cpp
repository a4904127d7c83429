#include <doctest/doctest.h>

#include <CLI/CLI.hpp>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "tests/unit/weblog/sample_records.hpp"
#include "tests/unit/weblog/temp_dir.hpp"
#include "tests/unit/weblog/test_files.hpp"
#include "weblog/blocked_activity_summary.hpp"
#include "weblog/logs_commands.hpp"
#include "weblog/nss_format.hpp"
#include "weblog/nss_presets.hpp"
#include "weblog/text_glob.hpp"

using namespace minewall::weblog;
using namespace minewall::weblog::test;
using namespace std::chrono_literals;

namespace {

std::string render(std::string_view preset, const WebRecord& r) {
    return NssFormat::compile(*preset_format(preset)).format->render(r);
}

// Three blocked miners for jdoe (one an hour later), one for another user, a blocked
// non-miner and an allowed request.
std::vector<WebRecord> traffic() {
    std::vector<WebRecord> out;
    out.push_back(blocked_miner_record(1));
    WebRecord later = blocked_miner_record(2);
    later.start_time += std::chrono::hours(1);
    out.push_back(later);
    out.push_back(blocked_miner_record(3));
    WebRecord other = blocked_miner_record(4);
    other.login = "asmith@example.com";
    other.client_ip = "10.0.0.9";
    other.threat_name = "JS/CoinHive.MINER";
    out.push_back(other);
    WebRecord eicar = blocked_miner_record(5);
    eicar.threat_name = "EICAR Test File";
    eicar.url = "www.eicar.org/download/eicar.com";
    eicar.host = "www.eicar.org";
    out.push_back(eicar);
    out.push_back(allowed_https_record(6));
    return out;
}

std::filesystem::path write_log(const TempDir& dir, std::string_view preset) {
    const auto path = dir / (std::string(preset) + ".log");
    std::ofstream out(path);
    for (const WebRecord& r : traffic())
        out << render(preset, r);
    return path;
}

struct Run {
    int rc;
    std::string out;
    std::string err;
};

Run summarize(SummarizeOptions options, const std::string& stdin_text = {}) {
    std::istringstream in(stdin_text);
    std::ostringstream out, err;
    const int rc = run_logs_summarize(options, in, out, err);
    return Run{rc, out.str(), err.str()};
}

}  // namespace

TEST_CASE("glob matching is case-insensitive with * and ?") {
    CHECK(glob_matches("*miner*", "XMRig CoinMiner"));
    CHECK(glob_matches("*miner*", "JS/CoinHive.MINER"));
    CHECK_FALSE(glob_matches("*miner*", "EICAR Test File"));
    CHECK(glob_matches("blocked", "Blocked"));
    CHECK_FALSE(glob_matches("blocked", "Blocked2"));
    CHECK(glob_matches("b?ocked", "blocked"));
    CHECK(glob_matches("*", ""));
    CHECK_FALSE(glob_matches("Miner", "miner", false));
}

TEST_CASE("log times in every preset's layout are read as UTC") {
    const std::int64_t t = 1697496948;
    CHECK(parse_log_time("2023-10-16 22:55:48") == t);
    CHECK(parse_log_time("2023-10-16,22:55:48") == t);
    CHECK(parse_log_time("2023-10-16T22:55:48Z") == t);
    CHECK(parse_log_time("Mon Oct 16 22:55:48 2023") == t);
    CHECK(parse_log_time("Thu Jan  1 00:00:00 1970") == 0);
    CHECK(parse_log_time("Oct 16 2023 22:55:48") == t);
    CHECK(parse_log_time("Oct 16 2023 22:55:48 GMT") == t);
    CHECK(parse_log_time("1697496948") == t);
    CHECK(parse_log_time("2023-10-16") == t - (22 * 3600 + 55 * 60 + 48));
    CHECK_FALSE(parse_log_time("yesterday"));
    CHECK_FALSE(parse_log_time("2023-13-01 00:00:00"));
    CHECK(parse_since("24h", 100000) == 100000 - 86400);
    CHECK(parse_since("7d", 1000000) == 1000000 - 7 * 86400);
    CHECK(parse_since("30m", 10000) == 10000 - 1800);
    CHECK(parse_since("2023-10-16 22:55:48", 0) == t);
    CHECK_FALSE(parse_since("soon", 0));
}

TEST_CASE("every summarizable preset maps to the search fields") {
    const WebRecord r = blocked_miner_record();
    for (std::string_view preset : {"splunk", "splunk-hec", "json", "sentinel-cef",
                                    "sentinel-cloudnss", "qradar-leef", "elastic"}) {
        const auto parsed = parse_nss_line(render(preset, r));
        REQUIRE_MESSAGE(parsed.error.empty(), preset);
        const WebEvent e = to_web_event(parsed.records.at(0));
        CHECK_MESSAGE(e.action == "Blocked", preset);
        CHECK_MESSAGE(e.user == "jdoe@example.com", preset);
        CHECK_MESSAGE(e.urlcategory == "Cryptomining & Blockchain", preset);
        CHECK_MESSAGE(e.url == "pool.supportxmr.com:443", preset);
        CHECK_MESSAGE(e.src == "10.0.0.5", preset);
        CHECK_MESSAGE(e.dest == "pool.supportxmr.com", preset);
        CHECK_MESSAGE(e.threatname == "XMRig CoinMiner", preset);
        CHECK_MESSAGE(e.time == 1697496948, preset);
        if (preset != "qradar-leef") CHECK_MESSAGE(e.deviceowner == "jdoe", preset);
    }
}

TEST_CASE("summarize groups blocked miners like the SOC search in each preset") {
    TempDir dir;
    for (std::string_view preset : {"splunk", "splunk-hec", "json", "sentinel-cef"}) {
        SummarizeOptions o;
        o.files = {write_log(dir, preset).string()};
        o.threat = "*miner*";
        o.json = true;
        const Run run = summarize(o);
        REQUIRE_MESSAGE(run.rc == 0, run.err);
        CHECK(run.err.empty());
        const auto doc = nlohmann::json::parse(run.out);
        CHECK_MESSAGE(doc["lines"] == 6, preset);
        CHECK_MESSAGE(doc["blocked"] == 4, preset);
        REQUIRE(doc["groups"].size() == 2);
        const auto& top = doc["groups"][0];
        CHECK(top["count"] == 3);
        CHECK(top["firstTime"] == "2023-10-16 22:55:48");
        CHECK(top["lastTime"] == "2023-10-16 23:55:48");
        CHECK(top["action"] == "Blocked");
        CHECK(top["deviceowner"] == "jdoe");
        CHECK(top["user"] == "jdoe@example.com");
        CHECK(top["urlcategory"] == "Cryptomining & Blockchain");
        CHECK(top["url"] == "pool.supportxmr.com:443");
        CHECK(top["src"] == "10.0.0.5");
        CHECK(top["dest"] == "pool.supportxmr.com");
        CHECK(doc["groups"][1]["user"] == "asmith@example.com");
        CHECK(doc["top_threats"][0] == nlohmann::json({{"name", "XMRig CoinMiner"}, {"count", 3}}));
        CHECK(doc["top_users"][0]["name"] == "jdoe@example.com");
        CHECK(doc["top_hosts"][0] ==
              nlohmann::json({{"name", "pool.supportxmr.com"}, {"count", 4}}));
    }
}

TEST_CASE("summarize without a threat filter counts every blocked request, text and csv") {
    TempDir dir;
    SummarizeOptions o;
    o.files = {write_log(dir, "splunk").string()};
    Run text = summarize(o);
    REQUIRE(text.rc == 0);
    CHECK(text.out.starts_with("Blocked activity: 5 events in 6 lines\n"));
    CHECK(text.out.find(
              "3\t2023-10-16 22:55:48\t2023-10-16 23:55:48\tBlocked\tjdoe\tjdoe@example.com\t"
              "Cryptomining & Blockchain\tpool.supportxmr.com:443\t10.0.0.5\t"
              "pool.supportxmr.com\n") != std::string::npos);
    CHECK(text.out.find("Top threats:\n  3\tXMRig CoinMiner\n") != std::string::npos);
    CHECK(text.out.find("EICAR Test File") != std::string::npos);
    o.csv = true;
    Run csv = summarize(o);
    const auto lines = split_lines(csv.out);
    REQUIRE(lines.size() == 4);
    CHECK(lines[0] == "count,firstTime,lastTime,action,deviceowner,user,urlcategory,url,src,dest");
    CHECK(lines[1] ==
          "3,2023-10-16 22:55:48,2023-10-16 23:55:48,Blocked,jdoe,jdoe@example.com,"
          "Cryptomining & Blockchain,pool.supportxmr.com:443,10.0.0.5,pool.supportxmr.com");
}

TEST_CASE("summarize reads standard input, filters --since and reports unreadable lines") {
    std::string input;
    for (const WebRecord& r : traffic())
        input += render("splunk-hec", r);
    input += "this is not a log line\n";
    SummarizeOptions o;
    o.since = "2023-10-16 23:00:00";
    o.json = true;
    const Run run = summarize(o, input);
    REQUIRE(run.rc == 0);
    CHECK(run.err == "<stdin>:7: unrecognised line (not JSON, CEF, LEEF or tab key=value)\n");
    const auto doc = nlohmann::json::parse(run.out);
    CHECK(doc["blocked"] == 1);  // only the record an hour later
    CHECK(doc["unreadable"] == 1);
}

TEST_CASE("summarize reads the public Zscaler samples") {
    SummarizeOptions o;
    o.files = {data_path("05_elastic_zscaler_zia_test-web.log"),
               data_path("02_splunk_kv_tab_sc4s.log"),
               data_path("03_sentinel_cloudnss_json_sample-web.log")};
    o.json = true;
    const Run run = summarize(o);
    REQUIRE(run.rc == 0);
    CHECK(run.err.empty());
    const auto doc = nlohmann::json::parse(run.out);
    CHECK(doc["lines"] == 7);
    CHECK(doc["blocked"] == 3);  // the Elastic fixtures' three Blocked transactions
    CHECK(doc["groups"][0]["user"] == "test@example.com");
    CHECK(doc["groups"][0]["src"] == "81.2.69.193");
    CHECK(doc["groups"][0]["deviceowner"] == "administrator1");
}

TEST_CASE("summarize rejects bad options and missing files") {
    SummarizeOptions o;
    o.format = "nope";
    CHECK(summarize(o).rc == 2);
    o = {};
    o.since = "whenever";
    CHECK(summarize(o).err.find("--since") != std::string::npos);
    o = {};
    o.json = o.csv = true;
    CHECK(summarize(o).rc == 2);
    o = {};
    o.follow = true;
    CHECK(summarize(o).rc == 2);
    o = {};
    o.files = {"/nonexistent/minewall.log"};
    const Run run = summarize(o);
    CHECK(run.rc == 1);
    CHECK(run.err.find("cannot read /nonexistent/minewall.log") != std::string::npos);
}

TEST_CASE("summarize --follow picks up appended lines and a rotated file") {
    TempDir dir;
    const auto path = dir / "web.log";
    { std::ofstream(path) << render("splunk", blocked_miner_record(1)); }
    std::atomic<bool> stop{false};
    SummarizeOptions o;
    o.files = {path.string()};
    o.follow = true;
    o.csv = true;
    o.poll_interval = 10ms;
    o.stop = &stop;
    std::ostringstream out, err;
    std::istringstream in;
    std::thread follower([&] { run_logs_summarize(o, in, out, err); });
    std::this_thread::sleep_for(50ms);
    { std::ofstream(path, std::ios::app) << render("splunk", blocked_miner_record(2)); }
    std::this_thread::sleep_for(80ms);
    std::filesystem::rename(path, dir / "web.log.1");
    { std::ofstream(path) << render("splunk", blocked_miner_record(3)); }
    std::this_thread::sleep_for(80ms);
    stop = true;
    follower.join();
    const std::string text = out.str();
    CHECK(text.find("\n1,2023-10-16") != std::string::npos);  // first summary
    CHECK(text.find("\n2,2023-10-16") != std::string::npos);  // after the append
    CHECK(text.find("\n3,2023-10-16") != std::string::npos);  // after the rotation
    CHECK(err.str().empty());
}

TEST_CASE("logs summarize is registered as a CLI11 subcommand") {
    TempDir dir;
    const auto path = write_log(dir, "sentinel-cef");
    CLI::App app("minewall");
    register_logs_commands(app);
    std::ostringstream captured;
    auto* old = std::cout.rdbuf(captured.rdbuf());
    app.parse("logs summarize --format sentinel-cef --threat *miner* --csv " + path.string(),
              false);
    std::cout.rdbuf(old);
    CHECK(captured.str().starts_with("count,firstTime,lastTime,action,"));
    CHECK(split_lines(captured.str()).size() == 3);
    CLI::App bad("minewall");
    register_logs_commands(bad);
    CHECK_THROWS_AS(bad.parse("logs summarize --format nope x", false), CLI::ValidationError);
}
