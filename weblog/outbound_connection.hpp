#pragma once
// A client connection for the network sinks: TCP, optionally TLS (OpenSSL, peer verified),
// driven with non-blocking sockets and poll() so that every step has a deadline. Used from
// one sink thread; the OpenSSL types stay in the .cpp.
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "weblog/network_destination.hpp"

namespace minewall::weblog {

class OutboundConnection {
  public:
    // Resolves `host`, connects and (if tls.enabled) handshakes and verifies the peer.
    // nullptr with `error` set on failure.
    static std::unique_ptr<OutboundConnection> open(const std::string& host, std::uint16_t port,
                                                    const TlsClientOptions& tls,
                                                    std::chrono::milliseconds connect_timeout,
                                                    std::chrono::milliseconds io_timeout,
                                                    std::string& error);
    ~OutboundConnection();
    OutboundConnection(const OutboundConnection&) = delete;
    OutboundConnection& operator=(const OutboundConnection&) = delete;

    // Writes all of `data` within the io timeout.
    bool write_all(std::string_view data, std::string& error);

    // Reads at least one byte within `timeout`; returns the count, 0 at end of stream, -1 on
    // error or timeout (error set).
    long read_some(char* buffer, std::size_t size, std::chrono::milliseconds timeout,
                   std::string& error);

    // True when the peer has closed or reset the connection (checked without blocking;
    // stray bytes from the peer are read and ignored).
    bool peer_closed();

    // Ends our side (TLS close_notify, then FIN) and waits for the peer to close. True when
    // it closed cleanly, i.e. it read everything we sent.
    bool close_gracefully(std::chrono::milliseconds timeout);

  private:
    struct State;
    explicit OutboundConnection(std::unique_ptr<State> state);
    std::unique_ptr<State> state_;
};

}  // namespace minewall::weblog
