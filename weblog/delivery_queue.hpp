#pragma once
// The queue between the WebLog writer (push) and a network sink's thread (take): a bounded
// memory queue backed by the feed's disk buffer. Order is kept: the disk buffer always
// holds older records than memory, so when memory is full its whole content moves to the
// end of the disk buffer, and take() drains the disk buffer first.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "weblog/spill_file.hpp"

namespace minewall::weblog {

class DeliveryQueue {
  public:
    // `spill` may be null: then records beyond `memory_records` are dropped (counted).
    DeliveryQueue(std::size_t memory_records, std::unique_ptr<SpillFile> spill);

    // Moves `lines` in; never blocks on the consumer.
    void push(std::vector<std::string>& lines);

    // Waits up to `wait` for records, then moves up to `max_records` (about `max_bytes`) of
    // the oldest into `out`. Returns how many.
    std::size_t take(std::vector<std::string>& out, std::size_t max_records, std::size_t max_bytes,
                     std::chrono::milliseconds wait);

    // Shutdown: stores `unsent` (older than everything queued) and then everything queued
    // in the disk buffer; what does not fit, or everything when there is no disk buffer, is
    // dropped and counted.
    void persist(const std::vector<std::string>& unsent);

    // Records returned by take() stay "in flight" until the sink reports them finished
    // (written, dropped, or kept by the sink for a resend), so idleness has no gap.
    void finished(std::size_t records) {
        in_flight_ -= std::min<std::uint64_t>(in_flight_, records);
    }
    std::uint64_t in_flight() const { return in_flight_; }

    // Wakes a waiting take() (used when the sink is asked to stop).
    void interrupt();

    std::uint64_t size() const;  // records waiting, memory + disk
    bool has_disk_buffer() const { return spill_ != nullptr; }
    std::uint64_t spilled() const { return spilled_; }
    std::uint64_t replayed() const { return replayed_; }
    std::uint64_t dropped() const { return dropped_; }

  private:
    std::size_t memory_records_;
    std::unique_ptr<SpillFile> spill_;
    mutable std::mutex mutex_;
    std::condition_variable ready_;
    std::deque<std::string> memory_;
    bool interrupted_ = false;
    std::atomic<std::uint64_t> spilled_{0};
    std::atomic<std::uint64_t> replayed_{0};
    std::atomic<std::uint64_t> dropped_{0};
    std::atomic<std::uint64_t> in_flight_{0};
};

}  // namespace minewall::weblog
