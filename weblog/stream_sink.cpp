#include "weblog/stream_sink.hpp"

#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "weblog/delivery_queue.hpp"
#include "weblog/outbound_connection.hpp"

namespace minewall::weblog {
namespace {

using SteadyClock = std::chrono::steady_clock;

constexpr std::size_t kBatchRecords = 512;
constexpr std::size_t kBatchBytes = 256 * 1024;

// Sink threads never die of SIGPIPE when a receiver goes away (OpenSSL writes with write()).
void block_sigpipe() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

void append_framed(std::string& out, const std::string& line, StreamFraming framing) {
    if (framing == StreamFraming::Newline) {
        out += line;
        return;
    }
    // RFC 6587 octet counting: "<len> <msg>", the message without its newline.
    const std::size_t len = line.empty() || line.back() != '\n' ? line.size() : line.size() - 1;
    out += std::to_string(len);
    out += ' ';
    out.append(line, 0, len);
}

}  // namespace

struct StreamSink::Impl {
    struct Pending {
        std::string line;
        bool sent_before = false;  // counted as written already; a resend now
    };
    struct Sent {
        std::string line;
        SteadyClock::time_point at;
    };

    std::string name;
    StreamDestination destination;
    DeliveryOptions delivery;
    DeliveryQueue queue;

    std::atomic<bool> stop{false};
    std::atomic<bool> connected{false};
    std::atomic<std::uint64_t> written{0};
    std::atomic<std::uint64_t> resent{0};
    std::atomic<std::uint64_t> waiting_resend{0};  // resend.size(), readable by any thread
    std::mutex stop_mutex;
    std::condition_variable stop_cv;
    mutable std::mutex error_mutex;
    std::string last_error;
    std::thread thread;

    // Sink thread only:
    std::unique_ptr<OutboundConnection> connection;
    std::deque<Pending> resend;    // to send before anything from the queue, in order
    std::deque<Sent> unconfirmed;  // written on the current connection, may be lost
    std::uint64_t unconfirmed_bytes = 0;
    std::chrono::milliseconds backoff{0};
    SteadyClock::time_point next_attempt{};

    Impl(std::string n, StreamDestination d, DeliveryOptions o, std::unique_ptr<SpillFile> spill)
        : name(std::move(n)),
          destination(std::move(d)),
          delivery(std::move(o)),
          queue(delivery.memory_records, std::move(spill)),
          backoff(delivery.backoff_initial) {}

    void set_error(std::string e) {
        std::lock_guard lock(error_mutex);
        last_error = std::move(e);
    }

    void update_held() { waiting_resend = resend.size(); }

    // Sleeps until `until` or until close() asks the sink to stop.
    void sleep_until(SteadyClock::time_point until) {
        std::unique_lock lock(stop_mutex);
        stop_cv.wait_until(lock, until, [&] { return stop.load(); });
    }

    void run() {
        block_sigpipe();
        SteadyClock::time_point stop_deadline{};
        bool stop_seen = false;
        for (;;) {
            if (stop && !stop_seen) {
                stop_seen = true;
                stop_deadline = SteadyClock::now() + delivery.shutdown_timeout;
            }
            if (stop_seen) {
                const bool nothing_left = resend.empty() && queue.size() == 0;
                if (nothing_left || SteadyClock::now() >= stop_deadline) break;
            }
            if (!connection &&
                !connect(stop_seen ? stop_deadline : SteadyClock::time_point::max())) {
                continue;
            }
            send_next_batch();
        }
        finish();
    }

    // Connects unless backing off; false when not connected (after waiting a little).
    bool connect(SteadyClock::time_point limit) {
        const auto now = SteadyClock::now();
        if (now < next_attempt) {
            sleep_until(std::min(next_attempt, limit));
            return false;
        }
        std::string error;
        connection = OutboundConnection::open(destination.host, destination.port, destination.tls,
                                              delivery.connect_timeout, delivery.io_timeout, error);
        if (!connection) {
            connected = false;
            set_error(error);
            next_attempt = SteadyClock::now() + backoff;
            backoff = std::min(backoff * 2, delivery.backoff_max);
            return false;
        }
        connected = true;
        backoff = delivery.backoff_initial;
        return true;
    }

    void send_next_batch() {
        std::vector<Pending> batch;
        std::size_t from_queue = 0;
        if (!resend.empty()) {
            std::size_t bytes = 0;
            while (!resend.empty() && batch.size() < kBatchRecords && bytes < kBatchBytes) {
                bytes += resend.front().line.size();
                batch.push_back(std::move(resend.front()));
                resend.pop_front();
            }
        } else {
            std::vector<std::string> lines;
            from_queue =
                queue.take(lines, kBatchRecords, kBatchBytes, std::chrono::milliseconds(100));
            if (lines.empty()) {
                if (connection && connection->peer_closed()) lost_connection("peer closed");
                return;
            }
            for (std::string& line : lines)
                batch.push_back(Pending{std::move(line), false});
        }
        if (connection->peer_closed()) {
            requeue_front(batch, from_queue);
            lost_connection("peer closed the connection");
            return;
        }
        std::string payload;
        for (const Pending& p : batch)
            append_framed(payload, p.line, destination.framing);
        std::string error;
        if (!connection->write_all(payload, error)) {
            requeue_front(batch, from_queue);
            lost_connection(error);
            return;
        }
        const auto now = SteadyClock::now();
        for (Pending& p : batch) {
            (p.sent_before ? resent : written) += 1;
            unconfirmed_bytes += p.line.size();
            unconfirmed.push_back(Sent{std::move(p.line), now});
        }
        trim_unconfirmed(now);
        update_held();
        queue.finished(from_queue);
    }

    void requeue_front(std::vector<Pending>& batch, std::size_t from_queue) {
        for (auto it = batch.rbegin(); it != batch.rend(); ++it)
            resend.push_front(std::move(*it));
        update_held();
        queue.finished(from_queue);
    }

    // Forget records old enough (or far enough back) that the receiver surely has them.
    void trim_unconfirmed(SteadyClock::time_point now) {
        while (!unconfirmed.empty() && (now - unconfirmed.front().at > delivery.resend_window ||
                                        unconfirmed_bytes > delivery.resend_max_bytes)) {
            unconfirmed_bytes -= unconfirmed.front().line.size();
            unconfirmed.pop_front();
        }
    }

    // The connection died: what was written recently may not have been read, so it is
    // sent again, before what was waiting to be resent.
    void lost_connection(const std::string& error) {
        set_error(error);
        connection.reset();
        connected = false;
        for (auto it = unconfirmed.rbegin(); it != unconfirmed.rend(); ++it) {
            resend.push_front(Pending{std::move(it->line), true});
        }
        unconfirmed.clear();
        unconfirmed_bytes = 0;
        update_held();
        next_attempt = SteadyClock::now() + backoff;
        backoff = std::min(backoff * 2, delivery.backoff_max);
    }

    void finish() {
        if (connection) {
            if (resend.empty() && queue.size() == 0) {
                const auto timeout = std::min<std::chrono::milliseconds>(
                    delivery.shutdown_timeout, std::chrono::milliseconds(2000));
                if (connection->close_gracefully(timeout)) {
                    unconfirmed.clear();  // the peer read everything before closing
                    unconfirmed_bytes = 0;
                }
            }
            connection.reset();
            connected = false;
        }
        // With a disk buffer, everything not confirmed is kept for the next process (it may
        // repeat records: at-least-once). Without one, records written once are not counted
        // as lost; only those never written are.
        const bool keep_written = queue.has_disk_buffer();
        std::vector<std::string> unsent;
        for (Sent& s : unconfirmed) {
            if (keep_written) unsent.push_back(std::move(s.line));
        }
        for (Pending& p : resend) {
            if (keep_written || !p.sent_before) unsent.push_back(std::move(p.line));
        }
        unconfirmed.clear();
        resend.clear();
        queue.persist(unsent);
        update_held();
    }
};

std::unique_ptr<StreamSink> StreamSink::open(const std::string& feed_name,
                                             const StreamDestination& destination,
                                             const DeliveryOptions& delivery, std::string& error) {
    if (destination.host.empty() || destination.port == 0) {
        error = "stream destination needs a host and a port";
        return nullptr;
    }
    std::unique_ptr<SpillFile> spill;
    if (!delivery.spill_dir.empty()) {
        spill = SpillFile::open(delivery.spill_dir, feed_name, delivery.spill_max_bytes, error);
        if (!spill) return nullptr;
    }
    auto impl = std::make_unique<Impl>(feed_name, destination, delivery, std::move(spill));
    Impl* raw = impl.get();
    raw->thread = std::thread([raw] { raw->run(); });
    return std::unique_ptr<StreamSink>(new StreamSink(std::move(impl)));
}

StreamSink::StreamSink(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

StreamSink::~StreamSink() {
    close();
}

void StreamSink::write(std::vector<std::string>& lines) {
    impl_->queue.push(lines);
}

void StreamSink::close() {
    if (!impl_->thread.joinable()) return;
    {
        std::lock_guard lock(impl_->stop_mutex);
        impl_->stop = true;
    }
    impl_->stop_cv.notify_all();
    impl_->queue.interrupt();
    impl_->thread.join();
}

bool StreamSink::idle() const {
    const DeliveryQueue& q = impl_->queue;
    return q.size() == 0 && q.in_flight() == 0 && impl_->waiting_resend == 0;
}

SinkStats StreamSink::stats() const {
    SinkStats s;
    s.written = impl_->written;
    s.resent = impl_->resent;
    s.queued = impl_->queue.size() + impl_->queue.in_flight() + impl_->waiting_resend;
    s.spilled = impl_->queue.spilled();
    s.replayed = impl_->queue.replayed();
    s.dropped = impl_->queue.dropped();
    s.connected = impl_->connected;
    std::lock_guard lock(impl_->error_mutex);
    s.last_error = impl_->last_error;
    return s;
}

}  // namespace minewall::weblog
