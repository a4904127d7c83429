#pragma once
// The front of the web log: the proxy calls emit() once per transaction from any I/O thread;
// records go through one bounded queue to a writer thread that formats them for every feed
// and hands each feed's batch to its sink. emit() never waits on formatting or I/O: when the
// queue is full the record is dropped and counted.
//
// Batching is by time, not by emptiness: the writer lets records collect for up to
// `flush_interval` after the first one arrives, then writes all of them (one sink call per
// feed per `batch_records`). emit() wakes the writer only when it sleeps with nothing queued
// or when a full batch is waiting, so under load the I/O threads make no futex call and
// cause no context switch per record (measured: bench/RESULTS.md, "Why the web log costs a
// third of the throughput"). shutdown() and wait_idle() flush at once.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "weblog/feed_options.hpp"
#include "weblog/nss_format.hpp"
#include "weblog/record_sink.hpp"
#include "weblog/web_record.hpp"

namespace minewall::weblog {

struct WebLogOptions {
    std::size_t queue_records = 65536;  // bound of records not yet written (queued + taken)
    std::size_t batch_records = 1024;   // records per sink call; this many queued wakes the writer
    std::string product_version;        // %s{productversion}
    std::string service_ip;             // %s{nsssvcip}
    // Longest a record waits in the queue before the writer takes it (unless a full batch,
    // shutdown() or wait_idle() comes first). Also how late reopen() may act (at most 100 ms
    // when nothing is queued).
    std::chrono::milliseconds flush_interval{25};
};

struct FeedStats {
    std::string name;
    SinkStats sink;
};

struct WebLogStats {
    std::uint64_t emitted = 0;  // accepted by emit()
    std::uint64_t dropped = 0;  // refused by emit(): queue full or shut down
    std::uint64_t queued = 0;   // waiting for the writer thread now
    std::vector<FeedStats> feeds;
};

class WebLog {
  public:
    struct Feed {
        std::string name;
        NssFormat format;
        std::unique_ptr<RecordSink> sink;
    };

    struct CreateResult {
        std::unique_ptr<WebLog> log;
        std::string error;
    };

    // Compiles every feed's format and opens its sink; any error stops start-up.
    static CreateResult create(const std::vector<FeedOptions>& feeds, WebLogOptions options = {});

    WebLog(std::vector<Feed> feeds, WebLogOptions options);
    ~WebLog();
    WebLog(const WebLog&) = delete;
    WebLog& operator=(const WebLog&) = delete;

    // Queues one record; false when it was dropped (queue full, or after shutdown()).
    bool emit(WebRecord record);

    // Asks every sink to reopen its destination (SIGUSR1). Only sets an atomic flag, so it
    // is safe from a signal handler; the writer thread acts on it within ~100 ms (or one
    // flush_interval, if that is longer).
    void reopen() noexcept;

    // Flushes now (without waiting for the flush interval) and waits until every emitted
    // record was handed to its sinks and the sinks are idle.
    bool wait_idle(std::chrono::milliseconds timeout);

    // Writes everything queued, closes the sinks (files flushed, network records delivered
    // or persisted to their disk buffer) and stops the writer. Idempotent.
    void shutdown();

    WebLogStats stats() const;

  private:
    void run();
    // Sleeps until there is something to write or to do. Called with `lock` held.
    void wait_for_work(std::unique_lock<std::mutex>& lock);
    void write_batch(const WebRecord* records, std::size_t count);

    std::vector<Feed> feeds_;
    WebLogOptions options_;
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    // Filled by emit(); the writer swaps it with its own emptied vector, so it holds the
    // lock for O(1) whatever the batch size, and both vectors keep their capacity.
    std::vector<WebRecord> queue_;
    bool stopping_ = false;
    bool flush_requested_ = false;  // wait_idle(): write what is queued without delay
    bool writer_idle_ = false;      // the writer sleeps with an empty queue: emit() wakes it
    std::size_t in_flight_ = 0;     // records taken by the writer, not yet all written
    std::atomic<bool> reopen_requested_{false};
    std::atomic<std::uint64_t> emitted_{0};
    std::atomic<std::uint64_t> dropped_{0};
    std::vector<std::vector<std::string>> lines_;  // per feed, reused between batches
    std::thread writer_;
    std::once_flag shutdown_once_;
};

}  // namespace minewall::weblog
