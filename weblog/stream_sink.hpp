#pragma once
// Syslog-style TCP stream sink, the way an NSS VM feeds a SIEM: one connection, records
// framed by newline or RFC 6587 octet counting, optional verified TLS. Delivery runs on the
// sink's DeliveryLoop thread with blocking-with-deadline sockets; write() only queues.
//
// Delivery is AT-LEAST-ONCE, IN ORDER. TCP cannot tell which bytes the receiving application
// read before its connection died, so after a reconnect the records written during the last
// `resend_window` (bounded by resend_max_bytes) are sent again before newer ones, like NSS's
// "Duplicate Logs" replay: receivers may see a short overlap, never a gap or a reordering.
// A graceful close (the peer closes after reading our end of stream) confirms everything.
// While the destination is down, records wait in memory, then in the disk buffer, and are
// replayed in order; at shutdown whatever is not confirmed is persisted to the disk buffer
// and replayed first by the next process.
#include <memory>
#include <string>

#include "weblog/network_destination.hpp"
#include "weblog/network_sink.hpp"

namespace minewall::weblog {

class StreamSink final : public NetworkSink {
  public:
    // `feed_name` names the disk buffer file under delivery.spill_dir.
    static std::unique_ptr<StreamSink> open(const std::string& feed_name,
                                            const StreamDestination& destination,
                                            const DeliveryOptions& delivery, std::string& error);

  private:
    using NetworkSink::NetworkSink;
};

}  // namespace minewall::weblog
