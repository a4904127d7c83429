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

RawExchange raw_exchange(std::uint16_t port, const std::string& request,
                         std::chrono::milliseconds timeout = std::chrono::seconds(10));

}  // namespace minewall::testing
