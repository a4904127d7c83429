#include "weblog/web_log.hpp"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "tests/unit/weblog/sample_records.hpp"
#include "tests/unit/weblog/temp_dir.hpp"
#include "tests/unit/weblog/test_files.hpp"
#include "weblog/nss_line_parser.hpp"

using namespace minewall::weblog;
using namespace minewall::weblog::test;

namespace {

FeedOptions file_feed(const std::string& preset, const std::filesystem::path& path) {
    auto spec = parse_feed_spec(preset + ":" + path.string());
    REQUIRE_MESSAGE(spec.feed, spec.error);
    return *spec.feed;
}

// A sink that blocks in write() until released, and counts what it sees.
class GatedSink final : public RecordSink {
  public:
    void write(std::vector<std::string>& lines) override {
        std::unique_lock lock(mutex_);
        gate_.wait(lock, [&] { return open_; });
        written_ += lines.size();
    }
    void reopen() override { ++reopens_; }
    void close() override { closed_ = true; }
    SinkStats stats() const override {
        SinkStats s;
        std::lock_guard lock(mutex_);
        s.written = written_;
        return s;
    }
    void release() {
        {
            std::lock_guard lock(mutex_);
            open_ = true;
        }
        gate_.notify_all();
    }
    std::atomic<int> reopens_{0};
    std::atomic<bool> closed_{false};

  private:
    mutable std::mutex mutex_;
    std::condition_variable gate_;
    bool open_ = false;
    std::uint64_t written_ = 0;
};

}  // namespace

TEST_CASE("weblog writes every record to every feed in its format") {
    TempDir dir;
    auto created = WebLog::create(
        {file_feed("splunk", dir / "splunk.log"), file_feed("json", dir / "json.log")});
    REQUIRE_MESSAGE(created.log, created.error);
    for (std::uint64_t i = 1; i <= 100; ++i)
        CHECK(created.log->emit(blocked_miner_record(i)));
    REQUIRE(created.log->wait_idle(std::chrono::seconds(5)));
    const auto stats = created.log->stats();
    CHECK(stats.emitted == 100);
    CHECK(stats.dropped == 0);
    REQUIRE(stats.feeds.size() == 2);
    CHECK(stats.feeds[0].sink.written == 100);
    created.log->shutdown();
    const auto kv = split_lines(read_text(dir / "splunk.log"));
    const auto json = split_lines(read_text(dir / "json.log"));
    REQUIRE(kv.size() == 100);
    REQUIRE(json.size() == 100);
    for (std::size_t i = 0; i < 100; ++i) {
        const auto a = parse_nss_line(kv[i], LogSyntax::SplunkKv);
        REQUIRE(a.error.empty());
        CHECK(a.records[0].value_or("event_id") == std::to_string(i + 1));  // in order
        CHECK(!nlohmann::json::parse(json[i], nullptr, false).is_discarded());
    }
}

TEST_CASE("weblog shutdown with records queued loses none") {
    TempDir dir;
    auto created =
        WebLog::create({file_feed("splunk", dir / "web.log")}, WebLogOptions{100000, 64, {}, {}});
    REQUIRE(created.log);
    for (std::uint64_t i = 0; i < 5000; ++i)
        REQUIRE(created.log->emit(blocked_miner_record(i)));
    created.log->shutdown();  // immediately: most records are still queued
    CHECK(split_lines(read_text(dir / "web.log")).size() == 5000);
    CHECK_FALSE(created.log->emit(blocked_miner_record()));  // after shutdown: refused, counted
    CHECK(created.log->stats().dropped == 1);
}

TEST_CASE("weblog drops and counts records when its queue is full, never blocking emit") {
    auto sink = std::make_unique<GatedSink>();
    GatedSink* gated = sink.get();
    std::vector<WebLog::Feed> feeds;
    feeds.push_back(
        WebLog::Feed{"gated", *NssFormat::compile("%s{action}").format, std::move(sink)});
    WebLog log(std::move(feeds), WebLogOptions{4, 1, {}, {}});
    int accepted = 0;
    for (int i = 0; i < 20; ++i)
        accepted += log.emit(blocked_miner_record()) ? 1 : 0;
    const auto stats = log.stats();
    CHECK(stats.emitted == static_cast<std::uint64_t>(accepted));
    CHECK(stats.dropped == static_cast<std::uint64_t>(20 - accepted));
    CHECK(stats.dropped >= 15);  // 4 queued + at most one in the blocked writer
    gated->release();
    REQUIRE(log.wait_idle(std::chrono::seconds(5)));
    CHECK(log.stats().feeds[0].sink.written == static_cast<std::uint64_t>(accepted));
    log.shutdown();
    CHECK(gated->closed_);
}

TEST_CASE("weblog reopen reaches every sink") {
    auto sink = std::make_unique<GatedSink>();
    GatedSink* gated = sink.get();
    gated->release();
    std::vector<WebLog::Feed> feeds;
    feeds.push_back(WebLog::Feed{"g", *NssFormat::compile("%s{action}").format, std::move(sink)});
    WebLog log(std::move(feeds), WebLogOptions{});
    log.reopen();
    for (int i = 0; i < 100 && gated->reopens_ == 0; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    CHECK(gated->reopens_ == 1);
}

TEST_CASE("weblog create reports bad feeds") {
    TempDir dir;
    FeedOptions bad_field = file_feed("splunk", dir / "a.log");
    bad_field.format = "x=%s{nosuch}";
    CHECK(WebLog::create({bad_field}).error ==
          "feed 'splunk': format: unknown field 'nosuch' at column 3");
    FeedOptions bad_tz = file_feed("splunk", dir / "a.log");
    bad_tz.time_zone = "Nowhere/Land";
    CHECK(WebLog::create({bad_tz}).error.find("Nowhere/Land") != std::string::npos);
    CHECK(WebLog::create({file_feed("splunk", dir / "a.log"), file_feed("splunk", dir / "b.log")})
              .error.find("two weblog feeds") != std::string::npos);
}

TEST_CASE("feed specs name a preset and a destination") {
    auto file = parse_feed_spec("splunk:/var/log/minewall/web.log");
    REQUIRE(file.feed);
    CHECK(file.feed->preset == "splunk");
    CHECK(std::get<FileDestination>(file.feed->destination).path == "/var/log/minewall/web.log");
    auto tcp = parse_feed_spec("sentinel-cef:tcp://10.0.0.4:514");
    REQUIRE(tcp.feed);
    const auto& stream = std::get<StreamDestination>(tcp.feed->destination);
    CHECK(stream.host == "10.0.0.4");
    CHECK(stream.port == 514);
    CHECK_FALSE(stream.tls.enabled);
    auto tls = parse_feed_spec("splunk:tls://[::1]:6514");
    REQUIRE(tls.feed);
    CHECK(std::get<StreamDestination>(tls.feed->destination).host == "::1");
    CHECK(std::get<StreamDestination>(tls.feed->destination).tls.enabled);
    auto hec = parse_feed_spec("splunk-hec:https://splunk.example:8088/services/collector/event");
    REQUIRE(hec.feed);
    CHECK(std::get<HttpDestination>(hec.feed->destination).tls.enabled);
    CHECK(parse_feed_spec("nope:/x").error.find("unknown weblog preset 'nope'") !=
          std::string::npos);
    CHECK(parse_feed_spec("splunk").error.find("PRESET:DESTINATION") != std::string::npos);
    CHECK(parse_feed_spec("splunk:tcp://host").error.find("host:port") != std::string::npos);
    CHECK(parse_feed_spec("splunk:udp://h:1").error.find("unsupported") != std::string::npos);
}
