// Network sinks against real sockets on 127.0.0.1 (small timeouts and back-offs).
#include <doctest/doctest.h>
#include <sys/resource.h>

#include <nlohmann/json.hpp>

#include "tests/unit/weblog/loopback_receivers.hpp"
#include "tests/unit/weblog/sample_records.hpp"
#include "tests/unit/weblog/temp_dir.hpp"
#include "tests/unit/weblog/test_files.hpp"
#include "weblog/http_batch_sink.hpp"
#include "weblog/nss_line_parser.hpp"
#include "weblog/stream_sink.hpp"
#include "weblog/web_log.hpp"

using namespace minewall::weblog;
using namespace minewall::weblog::test;
using namespace std::chrono_literals;

namespace {

// With a disk buffer, memory holds only 100 records so that spilling is exercised.
DeliveryOptions fast_delivery(const std::filesystem::path& spill_dir = {}) {
    DeliveryOptions d;
    d.memory_records = spill_dir.empty() ? 10000 : 100;
    d.spill_dir = spill_dir;
    d.connect_timeout = 300ms;
    d.io_timeout = 1000ms;
    d.backoff_initial = 10ms;
    d.backoff_max = 40ms;
    d.shutdown_timeout = 300ms;
    return d;
}

std::vector<std::string> records(int from, int count) {
    std::vector<std::string> lines;
    for (int i = from; i < from + count; ++i)
        lines.push_back("record " + std::to_string(i) + "\n");
    return lines;
}

void write_records(RecordSink& sink, int from, int count) {
    auto lines = records(from, count);
    sink.write(lines);
}

// The same records as one text, as a disk buffer holds them.
std::string join_records(int from, int count) {
    std::string text;
    for (const std::string& line : records(from, count))
        text += line;
    return text;
}

std::string name_of(int i) {
    return "record " + std::to_string(i);
}

std::unique_ptr<StreamSink> open_stream(const std::string& feed, std::uint16_t port,
                                        const DeliveryOptions& delivery,
                                        StreamFraming framing = StreamFraming::Newline,
                                        TlsClientOptions tls = {}) {
    StreamDestination dest;
    dest.host = "127.0.0.1";
    dest.port = port;
    dest.framing = framing;
    dest.tls = tls;
    std::string error;
    auto sink = StreamSink::open(feed, dest, delivery, error);
    REQUIRE_MESSAGE(sink, error);
    return sink;
}

// Every record of 0..n-1 arrived; each connection carries an increasing run without gaps;
// a connection starts no later than right after where the previous one stopped.
void check_at_least_once_in_order(const std::vector<std::vector<std::string>>& connections, int n) {
    int next = 0;  // first record not yet seen
    for (const auto& conn : connections) {
        if (conn.empty()) continue;
        const int first = std::stoi(conn.front().substr(7));
        CHECK_MESSAGE(first <= next, "gap before ", conn.front());
        for (std::size_t i = 0; i < conn.size(); ++i) {
            REQUIRE(conn[i] == name_of(first + static_cast<int>(i)));
        }
        next = std::max(next, first + static_cast<int>(conn.size()));
    }
    CHECK(next == n);
}

// Exactly records 0..n-1, in order.
void check_once_in_order(const std::vector<std::string>& accepted, int n) {
    REQUIRE(accepted.size() == static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i)
        CHECK(accepted[static_cast<std::size_t>(i)] == name_of(i));
}

// Waits (up to `timeout`) until the sink reports an error, e.g. a failed connect.
void wait_for_error(const RecordSink& sink, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (sink.stats().last_error.empty() && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(5ms);
    }
}

// After close() with the destination down: all `n` records kept in the disk buffer.
void check_persisted(const RecordSink& sink, std::uint64_t n) {
    const SinkStats stats = sink.stats();
    CHECK(stats.dropped == 0);
    CHECK(stats.written == 0);
    CHECK(stats.queued == n);
    CHECK(stats.last_error.find("connect") != std::string::npos);
}

// CPU time used by this process so far (all threads).
std::chrono::microseconds process_cpu_time() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    const auto total = [](const timeval& t) {
        return std::chrono::seconds(t.tv_sec) + std::chrono::microseconds(t.tv_usec);
    };
    return total(usage.ru_utime) + total(usage.ru_stime);
}

}  // namespace

TEST_CASE("stream sink: receiver dies mid-stream and returns, every record arrives in order") {
    TempDir dir;
    LineReceiver receiver;
    receiver.die_after(300);
    auto sink = open_stream("splunk", receiver.port(), fast_delivery(dir.path()));
    write_records(*sink, 0, 1000);
    REQUIRE(receiver.wait_dead(5s));
    // Records keep coming while the destination is down: memory, then the disk buffer.
    for (int i = 1000; i < 2000; i += 100) {
        write_records(*sink, i, 100);
    }
    std::this_thread::sleep_for(100ms);  // a few failed reconnects
    CHECK_FALSE(sink->stats().connected);
    receiver.restart();
    REQUIRE(receiver.wait_contains(name_of(1999), 10s));
    sink->close();
    const auto connections = receiver.connections();
    REQUIRE(connections.size() >= 2);
    check_at_least_once_in_order(connections, 2000);
    const SinkStats stats = sink->stats();
    CHECK(stats.written == 2000);  // counted once each; repeats are counted as resent
    CHECK(stats.resent > 0);
    CHECK(stats.spilled > 0);
    CHECK(stats.replayed > 0);
    CHECK(stats.dropped == 0);
    CHECK(stats.queued == 0);
}

TEST_CASE("stream sink: graceful shutdown with a live receiver delivers everything once") {
    LineReceiver receiver;
    auto sink = open_stream("cef", receiver.port(), fast_delivery());
    write_records(*sink, 0, 500);
    sink->close();
    REQUIRE(receiver.wait_total(500, 2s));
    const auto connections = receiver.connections();
    REQUIRE(connections.size() == 1);
    check_at_least_once_in_order(connections, 500);
    CHECK(connections[0].size() == 500);  // exactly once here
    CHECK(sink->stats().written == 500);
}

TEST_CASE("stream sink: octet-counting framing (RFC 6587)") {
    LineReceiver receiver(LineReceiver::Framing::OctetCounting);
    auto sink = open_stream("oc", receiver.port(), fast_delivery(), StreamFraming::OctetCounting);
    write_records(*sink, 0, 50);
    REQUIRE(receiver.wait_total(50, 2s));
    sink->close();
    CHECK(receiver.connections()[0].front() == "record 0");
    check_at_least_once_in_order(receiver.connections(), 50);
}

TEST_CASE("stream sink: shutdown while the destination is down persists to the disk buffer") {
    TempDir dir;
    const std::uint16_t port = unused_port();
    {
        auto sink = open_stream("feed/one", port, fast_delivery(dir.path()));
        write_records(*sink, 0, 250);
        sink->close();
        check_persisted(*sink, 250);
    }
    CHECK(split_lines(read_text(dir / "feed_one.spill")).size() == 250);
    // The next process replays the disk buffer first, then new records.
    LineReceiver receiver;
    auto sink = open_stream("feed/one", receiver.port(), fast_delivery(dir.path()));
    write_records(*sink, 250, 10);
    REQUIRE(receiver.wait_total(260, 5s));
    sink->close();
    check_at_least_once_in_order(receiver.connections(), 260);
    CHECK(sink->stats().replayed == 250);
}

TEST_CASE("stream sink: without a disk buffer overflow is dropped and counted") {
    DeliveryOptions d = fast_delivery();
    d.memory_records = 10;
    auto sink = open_stream("nobuf", unused_port(), d);
    write_records(*sink, 0, 25);
    sink->close();
    CHECK(sink->stats().dropped == 25);  // 15 overflow + 10 at shutdown with nowhere to go
}

TEST_CASE("stream sink: TLS with a verified receiver certificate") {
    TempDir dir;
    const TestCertificate cert = make_test_certificate(dir.path());
    LineReceiver receiver(LineReceiver::Framing::Newline, &cert);
    TlsClientOptions tls;
    tls.enabled = true;
    tls.ca_file = cert.cert_file.string();
    DeliveryOptions d = fast_delivery();
    d.connect_timeout = 3s;
    auto sink = open_stream("tls", receiver.port(), d, StreamFraming::Newline, tls);
    write_records(*sink, 0, 100);
    REQUIRE(receiver.wait_total(100, 3s));
    sink->close();
    check_at_least_once_in_order(receiver.connections(), 100);
}

TEST_CASE("stream sink: TLS refuses a receiver it cannot verify") {
    TempDir dir;
    const TestCertificate cert = make_test_certificate(dir.path());
    LineReceiver receiver(LineReceiver::Framing::Newline, &cert);
    TlsClientOptions tls;
    tls.enabled = true;  // system trust store: the self-signed receiver is not trusted
    DeliveryOptions d = fast_delivery();
    d.connect_timeout = 3s;  // a loaded machine must not turn this into a timeout
    auto sink = open_stream("tls-bad", receiver.port(), d, StreamFraming::Newline, tls);
    write_records(*sink, 0, 5);
    wait_for_error(*sink, 5s);
    const SinkStats stats = sink->stats();
    CHECK(stats.written == 0);
    CHECK_FALSE(stats.connected);
    CHECK_MESSAGE(stats.last_error.find("certificate") != std::string::npos, stats.last_error);
    CHECK(receiver.total() == 0);
    sink->close();
}

TEST_CASE("http sink: 503 answers are retried, then every record arrives in order once") {
    HttpReceiver receiver({503, 503});
    HttpDestination dest;
    dest.url = "http://127.0.0.1:" + std::to_string(receiver.port()) + "/services/collector/event";
    dest.token = "11111111-2222-3333-4444-555555555555";
    dest.max_batch_delay = 20ms;
    dest.max_batch_bytes = 1024;
    std::string error;
    auto sink = HttpBatchSink::open("hec", dest, fast_delivery(), error);
    REQUIRE_MESSAGE(sink, error);
    write_records(*sink, 0, 200);
    REQUIRE(receiver.wait_accepted(200, 5s));
    sink->close();
    check_once_in_order(receiver.accepted_records(), 200);
    const auto requests = receiver.requests();
    REQUIRE(requests.size() >= 3);
    CHECK(requests[0].answered == 503);
    CHECK(requests[0].body == requests[2].body);  // the same batch, retried
    CHECK(requests[0].head.starts_with("POST /services/collector/event HTTP/1.1\r\n"));
    CHECK(requests[0].head.find("\r\nAuthorization: Splunk 11111111-2222-3333-4444-555555555555") !=
          std::string::npos);
    const SinkStats stats = sink->stats();
    CHECK(stats.written == 200);
    CHECK(stats.dropped == 0);
    CHECK(stats.last_error.find("503") != std::string::npos);
}

TEST_CASE("http sink: a 400 answer drops only that batch, and counts it") {
    HttpReceiver receiver({400});
    HttpDestination dest;
    dest.url = "http://127.0.0.1:" + std::to_string(receiver.port()) + "/";
    dest.max_batch_delay = 1ms;
    std::string error;
    auto sink = HttpBatchSink::open("hec400", dest, fast_delivery(), error);
    REQUIRE(sink);
    write_records(*sink, 0, 10);
    for (int i = 0; i < 200 && receiver.requests().empty(); ++i)
        std::this_thread::sleep_for(5ms);
    write_records(*sink, 10, 10);
    REQUIRE(receiver.wait_accepted(10, 3s));
    sink->close();
    CHECK(receiver.accepted_records().front() == "record 10");
    CHECK(sink->stats().dropped == 10);
    CHECK(sink->stats().written == 10);
    CHECK(sink->stats().last_error.find("HTTP 400") != std::string::npos);
}

TEST_CASE("http sink: receiver down, records wait on disk, then arrive when it starts") {
    TempDir dir;
    const std::uint16_t port = unused_port();
    HttpDestination dest;
    dest.url = "http://127.0.0.1:" + std::to_string(port) + "/";
    dest.max_batch_delay = 1ms;
    dest.max_batch_bytes = 200;  // ~20 records: the rest must wait in memory, then on disk
    dest.json_array = true;
    std::string error;
    auto sink = HttpBatchSink::open("hec-down", dest, fast_delivery(dir.path()), error);
    REQUIRE(sink);
    for (int i = 0; i < 300; i += 30) {
        write_records(*sink, i, 30);
    }
    std::this_thread::sleep_for(60ms);
    CHECK(sink->stats().spilled > 0);
    HttpReceiver receiver({}, port);
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (sink->stats().written < 300 && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(5ms);
    }
    sink->close();
    // JSON array notation: each body is "[record 0,record 1,...]"-shaped for these test lines.
    std::string all;
    for (const auto& r : receiver.requests())
        all += r.body;
    CHECK(all.starts_with("[record 0,record 1,"));
    CHECK(sink->stats().written == 300);
    CHECK(sink->stats().replayed > 0);
}

TEST_CASE("http sink: shutdown while the receiver is down persists the batch and the queue") {
    TempDir dir;
    const std::uint16_t port = unused_port();
    HttpDestination dest;
    dest.url = "http://127.0.0.1:" + std::to_string(port) + "/";
    dest.max_batch_delay = 1ms;
    dest.max_batch_bytes = 200;  // the batch being retried holds only the oldest records
    {
        std::string error;
        auto sink = HttpBatchSink::open("hec/down", dest, fast_delivery(dir.path()), error);
        REQUIRE_MESSAGE(sink, error);
        write_records(*sink, 0, 250);
        wait_for_error(*sink, 2s);
        sink->close();
        check_persisted(*sink, 250);
    }
    CHECK(split_lines(read_text(dir / "hec_down.spill")) == split_lines(join_records(0, 250)));
    // The next process sends the disk buffer first, in order, then new records.
    HttpReceiver receiver({}, port);
    std::string error;
    auto sink = HttpBatchSink::open("hec/down", dest, fast_delivery(dir.path()), error);
    REQUIRE_MESSAGE(sink, error);
    write_records(*sink, 250, 10);
    REQUIRE(receiver.wait_accepted(260, 5s));
    sink->close();
    check_once_in_order(receiver.accepted_records(), 260);
    CHECK(sink->stats().replayed == 250);
}

TEST_CASE("http sink: a kept-alive connection the server closed is replaced at once") {
    HttpReceiver receiver;
    receiver.close_after_each_answer();
    HttpDestination dest;
    dest.url = "http://127.0.0.1:" + std::to_string(receiver.port()) + "/";
    dest.max_batch_delay = 1ms;
    DeliveryOptions d = fast_delivery();
    d.backoff_initial = d.backoff_max = 10s;  // a back-off would outlast the test
    std::string error;
    auto sink = HttpBatchSink::open("hec-reuse", dest, d, error);
    REQUIRE_MESSAGE(sink, error);
    for (int i = 0; i < 3; ++i) {
        write_records(*sink, i * 10, 10);
        REQUIRE(receiver.wait_accepted(static_cast<std::size_t>(i + 1) * 10, 3s));
        std::this_thread::sleep_for(30ms);  // the server has closed the connection by now
    }
    sink->close();
    CHECK(receiver.requests().size() == 3);
    const SinkStats stats = sink->stats();
    CHECK(stats.written == 30);
    CHECK_MESSAGE(stats.last_error.empty(), stats.last_error);
}

TEST_CASE(
    "network sinks closed while backing off sleep through the shutdown window, keeping "
    "their records") {
    TempDir dir;
    DeliveryOptions d = fast_delivery(dir.path());
    d.backoff_initial = d.backoff_max = 30s;
    d.shutdown_timeout = 400ms;
    const std::uint16_t port = unused_port();
    HttpDestination http;
    http.url = "http://127.0.0.1:" + std::to_string(port) + "/";
    http.max_batch_delay = 1ms;
    std::string error;
    std::vector<std::unique_ptr<RecordSink>> sinks;
    sinks.push_back(open_stream("stream-backoff", port, d));
    sinks.push_back(HttpBatchSink::open("http-backoff", http, d, error));
    REQUIRE_MESSAGE(sinks.back(), error);
    for (auto& sink : sinks) {
        write_records(*sink, 0, 20);
        wait_for_error(*sink, 2s);
        REQUIRE_FALSE(sink->stats().last_error.empty());  // the next attempt is 30 s away
        const auto wall_before = std::chrono::steady_clock::now();
        const auto cpu_before = process_cpu_time();
        sink->close();
        const auto wall = std::chrono::steady_clock::now() - wall_before;
        const auto cpu = process_cpu_time() - cpu_before;
        CHECK(wall < 2s);       // the shutdown window, not the back-off
        CHECK(cpu < wall / 4);  // it slept through the window instead of spinning
        check_persisted(*sink, 20);
    }
}

TEST_CASE("http urls are parsed into host, port and target") {
    std::string error;
    auto u = parse_http_url("https://splunk.example:8088/services/collector?x=1", error);
    REQUIRE(u);
    CHECK(u->tls);
    CHECK(u->host == "splunk.example");
    CHECK(u->port == 8088);
    CHECK(u->target == "/services/collector?x=1");
    CHECK(u->host_header == "splunk.example:8088");
    auto v6 = parse_http_url("http://[::1]/", error);
    REQUIRE(v6);
    CHECK(v6->host == "::1");
    CHECK(v6->port == 80);
    CHECK_FALSE(parse_http_url("ftp://x/", error));
    CHECK_FALSE(parse_http_url("http://h:99999/", error));
}

TEST_CASE("weblog feeds a tcp and a hec receiver end to end") {
    LineReceiver tcp;
    HttpReceiver hec;
    auto splunk = parse_feed_spec("splunk:tcp://127.0.0.1:" + std::to_string(tcp.port()));
    auto json = parse_feed_spec("splunk-hec:http://127.0.0.1:" + std::to_string(hec.port()) +
                                "/services/collector/event");
    REQUIRE(splunk.feed);
    REQUIRE(json.feed);
    splunk.feed->delivery = fast_delivery();
    json.feed->delivery = fast_delivery();
    std::get<HttpDestination>(json.feed->destination).max_batch_delay = 5ms;
    auto created = WebLog::create({*splunk.feed, *json.feed});
    REQUIRE_MESSAGE(created.log, created.error);
    for (std::uint64_t i = 0; i < 50; ++i)
        created.log->emit(blocked_miner_record(i));
    REQUIRE(created.log->wait_idle(5s));
    created.log->shutdown();
    REQUIRE(tcp.wait_total(50, 2s));
    const auto lines = tcp.connections().at(0);
    for (std::size_t i = 0; i < lines.size(); ++i) {
        const auto parsed = parse_nss_line(lines[i], LogSyntax::SplunkKv);
        REQUIRE(parsed.error.empty());
        CHECK(parsed.records[0].value_or("event_id") == std::to_string(i));
    }
    const auto events = hec.accepted_records();
    REQUIRE(events.size() == 50);
    for (const auto& e : events) {
        const auto doc = nlohmann::json::parse(e);
        CHECK(doc["event"]["threatname"] == "XMRig CoinMiner");
    }
    const auto stats = created.log->stats();
    CHECK(stats.feeds[0].sink.written == 50);
    CHECK(stats.feeds[1].sink.written == 50);
}
