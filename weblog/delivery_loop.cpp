#include "weblog/delivery_loop.hpp"

#include <pthread.h>
#include <signal.h>

#include <algorithm>

namespace minewall::weblog {
namespace {

// Sink threads never die of SIGPIPE when a receiver goes away (OpenSSL writes with write()).
void block_sigpipe() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

}  // namespace

std::unique_ptr<DeliveryLoop> DeliveryLoop::start(const std::string& feed_name,
                                                  const DeliveryOptions& options,
                                                  std::unique_ptr<DeliveryProtocol> protocol,
                                                  std::string& error) {
    std::unique_ptr<SpillFile> spill;
    if (!options.spill_dir.empty()) {
        spill = SpillFile::open(options.spill_dir, feed_name, options.spill_max_bytes, error);
        if (!spill) return nullptr;
    }
    std::unique_ptr<DeliveryLoop> loop(
        new DeliveryLoop(options, std::move(spill), std::move(protocol)));
    // Started only now: the thread must see a fully built loop.
    DeliveryLoop* raw = loop.get();
    loop->thread_ = std::thread([raw] { raw->run(); });
    return loop;
}

DeliveryLoop::DeliveryLoop(const DeliveryOptions& options, std::unique_ptr<SpillFile> spill,
                           std::unique_ptr<DeliveryProtocol> protocol)
    : options_(options),
      queue_(options_.memory_records, std::move(spill)),
      protocol_(std::move(protocol)),
      backoff_(options_.backoff_initial) {}

DeliveryLoop::~DeliveryLoop() {
    stop();
}

void DeliveryLoop::stop() {
    if (!thread_.joinable()) return;
    {
        std::lock_guard lock(stop_mutex_);
        stop_ = true;
    }
    stop_cv_.notify_all();
    queue_.interrupt();
    thread_.join();
}

bool DeliveryLoop::idle() const {
    return queue_.size() == 0 && queue_.in_flight() == 0 && held_ == 0;
}

SinkStats DeliveryLoop::stats() const {
    SinkStats s;
    s.written = written_;
    s.resent = resent_;
    s.queued = queue_.size() + queue_.in_flight() + held_;
    s.spilled = queue_.spilled();
    s.replayed = queue_.replayed();
    s.dropped = queue_.dropped() + rejected_;
    s.connected = connected_;
    std::lock_guard lock(error_mutex_);
    s.last_error = last_error_;
    return s;
}

void DeliveryLoop::run() {
    block_sigpipe();
    Clock::time_point stop_deadline = Clock::time_point::max();
    for (;;) {
        if (stop_ && !stop_seen_) {
            stop_seen_ = true;
            stop_deadline = Clock::now() + options_.shutdown_timeout;
        }
        if (stop_seen_) {
            const bool nothing_left = !protocol_->holds_records() && queue_.size() == 0;
            if (nothing_left || Clock::now() >= stop_deadline) break;
        }
        protocol_->deliver(*this, stop_seen_, stop_deadline);
    }
    protocol_->finish(*this);
}

bool DeliveryLoop::connect(const std::string& host, std::uint16_t port,
                           const TlsClientOptions& tls) {
    std::string error;
    connection_ = OutboundConnection::open(host, port, tls, options_.connect_timeout,
                                           options_.io_timeout, error);
    if (!connection_) {
        retry_later(error);
        return false;
    }
    connected_ = true;
    return true;
}

void DeliveryLoop::drop_connection() {
    connection_.reset();
}

void DeliveryLoop::retry_later(const std::string& error) {
    set_error(error);
    connection_.reset();
    connected_ = false;
    next_attempt_ = Clock::now() + backoff_;
    backoff_ = std::min(backoff_ * 2, options_.backoff_max);
}

bool DeliveryLoop::wait_for_retry(Clock::time_point limit) {
    if (Clock::now() >= next_attempt_) return false;
    sleep_until(std::min(next_attempt_, limit));
    return true;
}

void DeliveryLoop::disconnect() {
    connection_.reset();
    connected_ = false;
}

void DeliveryLoop::set_error(std::string error) {
    std::lock_guard lock(error_mutex_);
    last_error_ = std::move(error);
}

void DeliveryLoop::sleep_until(Clock::time_point until) {
    // A stop request ends the sleep once; after that the loop is in its shutdown window and
    // sleeps until `until` (at most the deadline), instead of spinning on the request.
    std::unique_lock lock(stop_mutex_);
    stop_cv_.wait_until(lock, until, [&] { return stop_ && !stop_seen_; });
}

}  // namespace minewall::weblog
