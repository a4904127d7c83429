#pragma once
// A deadline on a stream's pending operations: when it passes, they are cancelled (they
// complete with operation_aborted) and expired() tells the caller why. A cheap stand-in for
// `co_await (op || timer.async_wait())`, which spawns two coroutines and a parallel group per
// use; two of those per keep-alive request showed in its CPU profile. Single-threaded use (one
// worker's io_context). While linked into IdleSessions, a shutdown can expire it early.
#include <boost/intrusive/list_hook.hpp>
#include <chrono>
#include <memory>

#include "proxy/net/net.hpp"

namespace minewall::proxy {

class StreamDeadline : public boost::intrusive::list_base_hook<
                           boost::intrusive::link_mode<boost::intrusive::auto_unlink>> {
  public:
    // Starts counting at once.
    StreamDeadline(beast::tcp_stream& target, std::chrono::steady_clock::duration timeout);
    // Disarms: an expiry that is already queued never touches the stream.
    ~StreamDeadline();
    StreamDeadline(const StreamDeadline&) = delete;
    StreamDeadline& operator=(const StreamDeadline&) = delete;

    // True once the deadline cancelled the stream (by time or expire_now()).
    bool expired() const { return state_->expired; }
    // Cancels the stream's pending operations now, as if the time had passed.
    void expire_now();

  private:
    struct State {
        beast::tcp_stream* target = nullptr;  // null once disarmed
        bool expired = false;
    };
    static void expire(State& state);

    std::shared_ptr<State> state_;  // shared with the timer's handler, which may outlive this
    asio::steady_timer timer_;
};

}  // namespace minewall::proxy
