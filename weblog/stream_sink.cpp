#include "weblog/stream_sink.hpp"

#include <deque>

#include "weblog/delivery_loop.hpp"

namespace minewall::weblog {
namespace {

constexpr std::size_t kBatchRecords = 512;
constexpr std::size_t kBatchBytes = 256 * 1024;

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

// Framed writes on one kept connection, and the resends that make a lost connection
// at-least-once (see stream_sink.hpp).
class StreamDelivery final : public DeliveryProtocol {
  public:
    explicit StreamDelivery(StreamDestination destination) : destination_(std::move(destination)) {}

    void deliver(DeliveryLoop& loop, bool /*stopping*/, Clock::time_point limit) override {
        if (!loop.connection()) {
            if (loop.wait_for_retry(limit)) return;
            if (!loop.connect(destination_.host, destination_.port, destination_.tls)) return;
            loop.reset_backoff();
        }
        send_next_batch(loop);
    }

    bool holds_records() const override { return !resend_.empty(); }

    void finish(DeliveryLoop& loop) override {
        if (OutboundConnection* connection = loop.connection()) {
            if (resend_.empty() && loop.queue().size() == 0) {
                const auto timeout = std::min<std::chrono::milliseconds>(
                    loop.options().shutdown_timeout, std::chrono::milliseconds(2000));
                if (connection->close_gracefully(timeout)) {
                    unconfirmed_.clear();  // the peer read everything before closing
                    unconfirmed_bytes_ = 0;
                }
            }
            loop.disconnect();
        }
        // With a disk buffer, everything not confirmed is kept for the next process (it may
        // repeat records: at-least-once). Without one, records written once are not counted
        // as lost; only those never written are.
        const bool keep_written = loop.queue().has_disk_buffer();
        std::vector<std::string> unsent;
        for (Sent& s : unconfirmed_) {
            if (keep_written) unsent.push_back(std::move(s.line));
        }
        for (Pending& p : resend_) {
            if (keep_written || !p.sent_before) unsent.push_back(std::move(p.line));
        }
        unconfirmed_.clear();
        resend_.clear();
        loop.queue().persist(unsent);
        loop.set_held(resend_.size());
    }

  private:
    struct Pending {
        std::string line;
        bool sent_before = false;  // counted as written already; a resend now
    };
    struct Sent {
        std::string line;
        Clock::time_point at;
    };

    void send_next_batch(DeliveryLoop& loop) {
        DeliveryQueue& queue = loop.queue();
        OutboundConnection& connection = *loop.connection();
        std::vector<Pending> batch;
        std::size_t from_queue = 0;
        if (!resend_.empty()) {
            std::size_t bytes = 0;
            while (!resend_.empty() && batch.size() < kBatchRecords && bytes < kBatchBytes) {
                bytes += resend_.front().line.size();
                batch.push_back(std::move(resend_.front()));
                resend_.pop_front();
            }
        } else {
            std::vector<std::string> lines;
            from_queue =
                queue.take(lines, kBatchRecords, kBatchBytes, std::chrono::milliseconds(100));
            if (lines.empty()) {
                if (connection.peer_closed()) lost_connection(loop, "peer closed");
                return;
            }
            for (std::string& line : lines)
                batch.push_back(Pending{std::move(line), false});
        }
        if (connection.peer_closed()) {
            requeue_front(loop, batch, from_queue);
            lost_connection(loop, "peer closed the connection");
            return;
        }
        std::string payload;
        for (const Pending& p : batch)
            append_framed(payload, p.line, destination_.framing);
        std::string error;
        if (!connection.write_all(payload, error)) {
            requeue_front(loop, batch, from_queue);
            lost_connection(loop, error);
            return;
        }
        const auto now = Clock::now();
        for (Pending& p : batch) {
            if (p.sent_before) {
                loop.count_resent(1);
            } else {
                loop.count_written(1);
            }
            unconfirmed_bytes_ += p.line.size();
            unconfirmed_.push_back(Sent{std::move(p.line), now});
        }
        trim_unconfirmed(loop.options(), now);
        loop.set_held(resend_.size());
        queue.finished(from_queue);
    }

    void requeue_front(DeliveryLoop& loop, std::vector<Pending>& batch, std::size_t from_queue) {
        for (auto it = batch.rbegin(); it != batch.rend(); ++it)
            resend_.push_front(std::move(*it));
        loop.set_held(resend_.size());
        loop.queue().finished(from_queue);
    }

    // Forget records old enough (or far enough back) that the receiver surely has them.
    void trim_unconfirmed(const DeliveryOptions& options, Clock::time_point now) {
        while (!unconfirmed_.empty() && (now - unconfirmed_.front().at > options.resend_window ||
                                         unconfirmed_bytes_ > options.resend_max_bytes)) {
            unconfirmed_bytes_ -= unconfirmed_.front().line.size();
            unconfirmed_.pop_front();
        }
    }

    // The connection died: what was written recently may not have been read, so it is
    // sent again, before what was waiting to be resent.
    void lost_connection(DeliveryLoop& loop, const std::string& error) {
        for (auto it = unconfirmed_.rbegin(); it != unconfirmed_.rend(); ++it) {
            resend_.push_front(Pending{std::move(it->line), true});
        }
        unconfirmed_.clear();
        unconfirmed_bytes_ = 0;
        loop.set_held(resend_.size());
        loop.retry_later(error);
    }

    const StreamDestination destination_;
    std::deque<Pending> resend_;    // to send before anything from the queue, in order
    std::deque<Sent> unconfirmed_;  // written on the current connection, may be lost
    std::uint64_t unconfirmed_bytes_ = 0;
};

}  // namespace

std::unique_ptr<StreamSink> StreamSink::open(const std::string& feed_name,
                                             const StreamDestination& destination,
                                             const DeliveryOptions& delivery, std::string& error) {
    if (destination.host.empty() || destination.port == 0) {
        error = "stream destination needs a host and a port";
        return nullptr;
    }
    auto loop = DeliveryLoop::start(feed_name, delivery,
                                    std::make_unique<StreamDelivery>(destination), error);
    if (!loop) return nullptr;
    return std::unique_ptr<StreamSink>(new StreamSink(std::move(loop)));
}

}  // namespace minewall::weblog
