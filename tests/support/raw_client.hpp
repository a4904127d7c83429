#pragma once
// Sends raw bytes to a TCP port on 127.0.0.1 and reads until the peer closes (or a timeout),
// for requests no well-behaved client would send.
#include <chrono>
#include <cstdint>
#include <string>

namespace minewall::testing {

struct RawExchange {
    std::string response;  // everything received
    bool closed_by_peer = false;
};

// One connection kept open across several sends and reads, for exchanges whose timing
// matters (what arrives before the peer is told to go on).
class RawConnection {
  public:
    explicit RawConnection(std::uint16_t port);
    ~RawConnection();
    RawConnection(const RawConnection&) = delete;
    RawConnection& operator=(const RawConnection&) = delete;

    void send(const std::string& bytes);
    // Reads until everything received so far contains marker, the peer closes or the timeout
    // passes; returns everything received so far.
    const std::string& read_until(const std::string& marker,
                                  std::chrono::milliseconds timeout = std::chrono::seconds(10));
    // True once a read saw the peer close the connection.
    bool closed_by_peer() const { return closed_by_peer_; }

  private:
    int fd_ = -1;
    std::string received_;
    bool closed_by_peer_ = false;
};

RawExchange raw_exchange(std::uint16_t port, const std::string& request,
                         std::chrono::milliseconds timeout = std::chrono::seconds(10));

}  // namespace minewall::testing
