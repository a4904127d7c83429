#pragma once
// The delivery thread of a network sink (syslog/TCP stream, HTTP batch POST). It holds what
// both sinks share: the DeliveryQueue with its disk buffer, the thread and the stop request
// with its shutdown deadline, the connection to the destination with exponential back-off,
// and the counters behind SinkStats. What differs (stream framing and resends after a lost
// connection; HTTP batching and status handling) is a DeliveryProtocol, called on the loop's
// thread only.
//
// Shutdown: once stop() is asked, the loop keeps calling the protocol until nothing is queued
// or held by it, or for at most DeliveryOptions::shutdown_timeout; then the protocol's
// finish() persists whatever is left in the disk buffer.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "weblog/delivery_queue.hpp"
#include "weblog/network_destination.hpp"
#include "weblog/outbound_connection.hpp"
#include "weblog/record_sink.hpp"

namespace minewall::weblog {

class DeliveryProtocol;

class DeliveryLoop {
  public:
    using Clock = std::chrono::steady_clock;

    // Opens the feed's disk buffer (named after `feed_name`, when options.spill_dir is set)
    // and starts the thread. nullptr with `error` set when the disk buffer cannot be opened.
    static std::unique_ptr<DeliveryLoop> start(const std::string& feed_name,
                                               const DeliveryOptions& options,
                                               std::unique_ptr<DeliveryProtocol> protocol,
                                               std::string& error);
    ~DeliveryLoop();  // stop()
    DeliveryLoop(const DeliveryLoop&) = delete;
    DeliveryLoop& operator=(const DeliveryLoop&) = delete;

    // --- The sink's side.
    // Queues records; never waits on the network.
    void push(std::vector<std::string>& lines) { queue_.push(lines); }
    // Delivers what it can within shutdown_timeout, persists the rest, joins the thread.
    // Later calls do nothing.
    void stop();
    bool idle() const;        // any thread
    SinkStats stats() const;  // any thread

    // --- The protocol's side (the loop's thread only).
    DeliveryQueue& queue() { return queue_; }
    const DeliveryOptions& options() const { return options_; }
    bool stop_requested() const { return stop_; }

    // The open connection to the destination, or null.
    OutboundConnection* connection() const { return connection_.get(); }
    // Opens the connection; on failure records the error and backs off (retry_later).
    bool connect(const std::string& host, std::uint16_t port, const TlsClientOptions& tls);
    // Closes the connection; the destination still counts as reachable (a server that
    // ends a kept-alive connection).
    void drop_connection();
    // Delivery failed: records the error, closes the connection, marks the destination down
    // and makes the next attempt wait (backoff_initial, doubled each time up to backoff_max).
    void retry_later(const std::string& error);
    // Delivery worked: the next failure waits backoff_initial again.
    void reset_backoff() { backoff_ = options_.backoff_initial; }
    // While the next attempt is not due: sleeps until it is, until `limit` or until a stop
    // is asked, and returns true (the caller tries again on its next step).
    bool wait_for_retry(Clock::time_point limit);
    // The end: closes the connection, the destination no longer counts as connected.
    void disconnect();

    void set_error(std::string error);
    void count_written(std::uint64_t records) { written_ += records; }
    void count_resent(std::uint64_t records) { resent_ += records; }
    void count_rejected(std::uint64_t records) { rejected_ += records; }
    // Records the protocol holds outside the queue (taken and finished, kept to send again).
    void set_held(std::uint64_t records) { held_ = records; }

  private:
    DeliveryLoop(const DeliveryOptions& options, std::unique_ptr<SpillFile> spill,
                 std::unique_ptr<DeliveryProtocol> protocol);
    void run();
    void sleep_until(Clock::time_point until);

    const DeliveryOptions options_;
    DeliveryQueue queue_;
    std::unique_ptr<DeliveryProtocol> protocol_;

    std::atomic<bool> stop_{false};
    std::atomic<bool> connected_{false};
    std::atomic<std::uint64_t> written_{0};
    std::atomic<std::uint64_t> resent_{0};    // stream: records sent again after a reconnect
    std::atomic<std::uint64_t> rejected_{0};  // HTTP 400: dropped by the receiver
    std::atomic<std::uint64_t> held_{0};
    std::mutex stop_mutex_;
    std::condition_variable stop_cv_;
    mutable std::mutex error_mutex_;
    std::string last_error_;

    // The loop's thread only:
    bool stop_seen_ = false;  // the stop request was seen: the shutdown window runs
    std::unique_ptr<OutboundConnection> connection_;
    std::chrono::milliseconds backoff_;
    Clock::time_point next_attempt_{};

    std::thread thread_;
};

// How a sink delivers, called by its DeliveryLoop on the loop's thread.
class DeliveryProtocol {
  public:
    using Clock = DeliveryLoop::Clock;
    virtual ~DeliveryProtocol() = default;

    // One step: take records from loop.queue() (waiting at most about 100 ms for them),
    // connect when needed, send. `stopping`: a stop was asked, send without waiting to fill
    // a batch. `limit`: the shutdown deadline (time_point::max() before a stop); no wait
    // runs past it.
    virtual void deliver(DeliveryLoop& loop, bool stopping, Clock::time_point limit) = 0;

    // Records taken from the queue that are not delivered yet (a batch to retry, records to
    // resend): the loop does not stop early while there are any.
    virtual bool holds_records() const = 0;

    // After the last step: close the connection and hand what is not delivered to
    // loop.queue().persist().
    virtual void finish(DeliveryLoop& loop) = 0;
};

}  // namespace minewall::weblog
