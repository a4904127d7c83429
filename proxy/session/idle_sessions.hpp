#pragma once
// Sessions waiting for their next request, per worker. On shutdown the worker expires these
// waits so idle keep-alive connections close at once while busy ones finish their transaction.
// Intrusive: adding and removing a wait per request allocates nothing, and a wait that ends
// unlinks itself.
#include <boost/intrusive/list.hpp>

#include "proxy/net/stream_deadline.hpp"

namespace minewall::proxy {

class IdleSessions {
  public:
    void add(StreamDeadline& wait) { waits_.push_back(wait); }
    void expire_all() {
        for (auto& wait : waits_)
            wait.expire_now();
    }

  private:
    boost::intrusive::list<StreamDeadline, boost::intrusive::constant_time_size<false>> waits_;
};

}  // namespace minewall::proxy
