#pragma once
// Sessions waiting for their next request, per worker. On shutdown the worker cancels these
// waits so idle keep-alive connections close at once while busy ones finish their transaction.
#include <unordered_set>

#include "proxy/net.hpp"

namespace minewall::proxy {

class IdleSessions {
  public:
    void add(asio::steady_timer* timer) { timers_.insert(timer); }
    void remove(asio::steady_timer* timer) { timers_.erase(timer); }
    void cancel_all() {
        for (auto* t : timers_)
            t->cancel();
    }

  private:
    std::unordered_set<asio::steady_timer*> timers_;
};

}  // namespace minewall::proxy
