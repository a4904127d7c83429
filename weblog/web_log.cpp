#include "weblog/web_log.hpp"

#include <algorithm>
#include <set>

#include "weblog/feed_sink.hpp"

namespace minewall::weblog {

WebLog::CreateResult WebLog::create(const std::vector<FeedOptions>& feeds, WebLogOptions options) {
    std::vector<Feed> opened;
    std::set<std::string> names;
    for (const FeedOptions& options_of_feed : feeds) {
        if (!names.insert(options_of_feed.name).second) {
            return {nullptr, "two weblog feeds are named '" + options_of_feed.name + "'"};
        }
        auto format =
            compile_feed_format(options_of_feed, options.product_version, options.service_ip);
        if (!format.format) return {nullptr, format.error};
        std::string error;
        auto sink = open_feed_sink(options_of_feed, error);
        if (!sink) return {nullptr, "feed '" + options_of_feed.name + "': " + error};
        opened.push_back(Feed{options_of_feed.name, std::move(*format.format), std::move(sink)});
    }
    return {std::make_unique<WebLog>(std::move(opened), std::move(options)), {}};
}

WebLog::WebLog(std::vector<Feed> feeds, WebLogOptions options)
    : feeds_(std::move(feeds)), options_(std::move(options)), lines_(feeds_.size()) {
    if (options_.queue_records == 0) options_.queue_records = 1;
    if (options_.batch_records == 0) options_.batch_records = 1;
    writer_ = std::thread([this] { run(); });
}

WebLog::~WebLog() {
    shutdown();
}

bool WebLog::emit(WebRecord record) {
    bool wake = false;
    {
        std::lock_guard lock(mutex_);
        if (stopping_ || queue_.size() + in_flight_ >= options_.queue_records) {
            ++dropped_;
            return false;
        }
        queue_.push_back(std::move(record));
        // Wake the writer only when it sleeps with nothing queued (it then waits up to one
        // flush interval for more) or when a full batch is ready. Otherwise it is already
        // on its timer and the I/O thread pays no futex call and no context switch.
        if (writer_idle_ || queue_.size() == options_.batch_records) {
            writer_idle_ = false;  // one wake-up is enough
            wake = true;
        }
    }
    ++emitted_;
    if (wake) wake_.notify_one();
    return true;
}

void WebLog::reopen() noexcept {
    reopen_requested_.store(true, std::memory_order_relaxed);
}

void WebLog::wait_for_work(std::unique_lock<std::mutex>& lock) {
    const auto write_now = [&] {
        return stopping_ || flush_requested_ || queue_.size() >= options_.batch_records;
    };
    if (queue_.empty() && !write_now()) {
        // Nothing to write: sleep until emit() brings the first record. The 100 ms limit
        // is how often a reopen() request (a flag set from a signal handler) is seen.
        writer_idle_ = true;
        wake_.wait_for(lock, std::chrono::milliseconds(100),
                       [&] { return write_now() || !queue_.empty() || reopen_requested_.load(); });
        writer_idle_ = false;
    }
    if (!queue_.empty() && !write_now()) {
        // Let records collect for one interval, so that a busy proxy has them written
        // hundreds at a time rather than one by one.
        wake_.wait_for(lock, options_.flush_interval, write_now);
    }
    flush_requested_ = false;
}

void WebLog::run() {
    std::vector<WebRecord> taken;
    for (;;) {
        {
            std::unique_lock lock(mutex_);
            wait_for_work(lock);
            if (queue_.empty() && stopping_) break;
            // Records that arrive while these are written wait for the next interval.
            taken.swap(queue_);
            in_flight_ = taken.size();
        }
        if (reopen_requested_.exchange(false)) {
            for (Feed& feed : feeds_)
                feed.sink->reopen();
        }
        for (std::size_t done = 0; done < taken.size(); done += options_.batch_records) {
            write_batch(taken.data() + done, std::min(options_.batch_records, taken.size() - done));
        }
        taken.clear();
        // A burst (e.g. a stalled disk) must not pin its memory for the rest of the run.
        if (taken.capacity() > 4 * options_.batch_records) taken = {};
        {
            std::lock_guard lock(mutex_);
            in_flight_ = 0;
        }
    }
    for (Feed& feed : feeds_)
        feed.sink->close();
}

void WebLog::write_batch(const WebRecord* records, std::size_t count) {
    for (std::size_t f = 0; f < feeds_.size(); ++f) {
        std::vector<std::string>& lines = lines_[f];
        lines.resize(count);
        for (std::size_t i = 0; i < count; ++i) {
            lines[i].clear();
            feeds_[f].format.render(records[i], lines[i]);
        }
        feeds_[f].sink->write(lines);
    }
}

bool WebLog::wait_idle(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        bool idle = false;
        bool wake = false;
        {
            std::lock_guard lock(mutex_);
            idle = queue_.empty() && in_flight_ == 0;
            if (!queue_.empty() && !flush_requested_) {
                flush_requested_ = true;  // the caller waits: do not hold records back
                wake = true;
            }
        }
        if (wake) wake_.notify_one();
        if (idle) {
            for (const Feed& feed : feeds_)
                idle = idle && feed.sink->idle();
        }
        if (idle) return true;
        if (std::chrono::steady_clock::now() >= deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
}

void WebLog::shutdown() {
    std::call_once(shutdown_once_, [this] {
        {
            std::lock_guard lock(mutex_);
            stopping_ = true;
        }
        wake_.notify_one();
        if (writer_.joinable()) writer_.join();
    });
}

WebLogStats WebLog::stats() const {
    WebLogStats s;
    s.emitted = emitted_.load();
    s.dropped = dropped_.load();
    {
        std::lock_guard lock(mutex_);
        s.queued = queue_.size() + in_flight_;
    }
    for (const Feed& feed : feeds_)
        s.feeds.push_back(FeedStats{feed.name, feed.sink->stats()});
    return s;
}

}  // namespace minewall::weblog
