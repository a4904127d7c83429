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

namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

WebLogOptions batching(std::size_t batch_records, milliseconds flush_interval) {
    WebLogOptions options;
    options.batch_records = batch_records;
    options.flush_interval = flush_interval;
    return options;
}

// Polls until `path` holds at least `lines` lines or `timeout` passes; returns the lines.
std::vector<std::string> wait_for_lines(const std::filesystem::path& path, std::size_t lines,
                                        milliseconds timeout) {
    const auto deadline = steady_clock::now() + timeout;
    for (;;) {
        auto found = split_lines(read_text(path));
        if (found.size() >= lines || steady_clock::now() >= deadline) return found;
        std::this_thread::sleep_for(milliseconds(5));
    }
}

void check_in_order(const std::vector<std::string>& lines, std::uint64_t first_id) {
    for (std::size_t i = 0; i < lines.size(); ++i) {
        const auto parsed = parse_nss_line(lines[i], LogSyntax::SplunkKv);
        REQUIRE(parsed.error.empty());
        CHECK(parsed.records[0].value_or("event_id") == std::to_string(first_id + i));
    }
}

}  // namespace

TEST_CASE("weblog holds a small burst for one flush interval, then writes it in order") {
    TempDir dir;
    const auto path = dir / "web.log";
    const milliseconds interval(500);  // long enough that a loaded machine does not flake
    auto created = WebLog::create({file_feed("splunk", path)}, batching(1000, interval));
    REQUIRE(created.log);
    const auto start = steady_clock::now();
    for (std::uint64_t i = 1; i <= 10; ++i)
        REQUIRE(created.log->emit(blocked_miner_record(i)));
    // Batching by time: nothing is written record by record while the interval runs.
    CHECK(read_text(path).empty());
    const auto lines = wait_for_lines(path, 10, milliseconds(5000));
    const auto waited = steady_clock::now() - start;
    REQUIRE(lines.size() == 10);
    check_in_order(lines, 1);
    CHECK(waited >= interval);
    CHECK(waited < interval + milliseconds(4000));
    CHECK(created.log->stats().feeds[0].sink.written == 10);
}

TEST_CASE("weblog writes at once when a full batch is queued, without waiting for the timer") {
    TempDir dir;
    const auto path = dir / "web.log";
    auto created =
        WebLog::create({file_feed("splunk", path)}, batching(100, std::chrono::seconds(60)));
    REQUIRE(created.log);
    for (std::uint64_t i = 1; i <= 250; ++i)
        REQUIRE(created.log->emit(blocked_miner_record(i)));
    // The 100th record wakes the writer, which takes everything queued by then.
    const auto early = wait_for_lines(path, 100, milliseconds(5000));
    REQUIRE(early.size() >= 100);
    check_in_order(early, 1);
    const auto before_shutdown = steady_clock::now();
    created.log->shutdown();
    CHECK(steady_clock::now() - before_shutdown < milliseconds(5000));
    const auto all = split_lines(read_text(path));
    REQUIRE(all.size() == 250);
    check_in_order(all, 1);
}

TEST_CASE("weblog shutdown and wait_idle write a partial batch without waiting for the timer") {
    TempDir dir;
    const auto path = dir / "web.log";
    auto created =
        WebLog::create({file_feed("splunk", path)}, batching(1000, std::chrono::seconds(60)));
    REQUIRE(created.log);
    for (std::uint64_t i = 1; i <= 5; ++i)
        REQUIRE(created.log->emit(blocked_miner_record(i)));
    REQUIRE(created.log->wait_idle(milliseconds(5000)));  // flushes: far less than 60 s
    check_in_order(split_lines(read_text(path)), 1);
    CHECK(split_lines(read_text(path)).size() == 5);
    for (std::uint64_t i = 6; i <= 12; ++i)
        REQUIRE(created.log->emit(blocked_miner_record(i)));
    const auto start = steady_clock::now();
    created.log->shutdown();
    CHECK(steady_clock::now() - start < milliseconds(5000));
    const auto all = split_lines(read_text(path));
    REQUIRE(all.size() == 12);
    check_in_order(all, 1);
    CHECK(created.log->stats().queued == 0);
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
    CHECK(stats.dropped >= 16);  // the bound counts queued records and those the writer took
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
