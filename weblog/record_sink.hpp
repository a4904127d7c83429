#pragma once
// Where a feed's formatted records go. The WebLog writer thread is the only caller of
// write(), reopen() and close(); stats() and idle() may be called from any thread.
// A sink never makes the writer wait on a network: network sinks queue (memory, then a disk
// buffer) and deliver on their own thread.
#include <cstdint>
#include <string>
#include <vector>

namespace minewall::weblog {

struct SinkStats {
    std::uint64_t written = 0;   // records delivered (file: written; network: sent/accepted once)
    std::uint64_t queued = 0;    // records waiting now, in memory and in the disk buffer
    std::uint64_t spilled = 0;   // records moved to the disk buffer
    std::uint64_t replayed = 0;  // records read back from the disk buffer to be sent
    std::uint64_t resent = 0;    // records sent again after a reconnect (at-least-once)
    std::uint64_t dropped = 0;   // records lost: write error, buffers full, HTTP 400
    bool connected = true;       // network sinks: destination currently reachable
    std::string last_error;
};

class RecordSink {
  public:
    virtual ~RecordSink() = default;

    // One batch of records, each a single line ending in '\n'. The sink may move the
    // strings out of `lines`.
    virtual void write(std::vector<std::string>& lines) = 0;

    // Reopen the destination (SIGUSR1 after an external logrotate). Default: nothing to do.
    virtual void reopen() {}

    // Flush (file) or deliver, then persist what could not be delivered to the disk buffer
    // (network), and stop. Returns when done; no record accepted by write() is lost unless
    // it was counted as dropped.
    virtual void close() = 0;

    // Nothing accepted is still waiting for delivery.
    virtual bool idle() const { return true; }

    virtual SinkStats stats() const = 0;
};

}  // namespace minewall::weblog
