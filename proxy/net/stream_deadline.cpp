#include "proxy/net/stream_deadline.hpp"

namespace minewall::proxy {

StreamDeadline::StreamDeadline(beast::tcp_stream& target,
                               std::chrono::steady_clock::duration timeout)
    : state_(std::make_shared<State>(State{&target, false})),
      timer_(target.get_executor(), timeout) {
    timer_.async_wait([state = state_](const error_code& ec) {
        if (!ec) expire(*state);
    });
}

StreamDeadline::~StreamDeadline() {
    state_->target = nullptr;
    timer_.cancel();
}

void StreamDeadline::expire_now() {
    expire(*state_);
    timer_.cancel();
}

void StreamDeadline::expire(State& state) {
    if (!state.target) return;
    state.expired = true;
    state.target->cancel();
}

}  // namespace minewall::proxy
