#pragma once
// Pinned-app relief: apps that pin their server's certificate (or carry their own trust store)
// abort every handshake with a minted leaf, so bumping them only breaks them. When one host's
// leaf is rejected `failures` times within `window`, that host is spliced for `splice_ttl`.
// Shared by all workers.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string_view>

#include "config/config.hpp"
#include "identity/strike_counter.hpp"

namespace minewall::proxy {

class PinnedHostRelief {
  public:
    using Clock = identity::StrikeCounter::Clock;

    struct Counters {
        std::uint64_t rejections = 0;  // client handshakes aborted on our certificate
        std::uint64_t relieved = 0;    // hosts put on the temporary splice list
        std::uint64_t spliced = 0;     // connections spliced because of that list
    };

    // A client rejected the leaf minted for host. True when this rejection put the host on the
    // temporary splice list (only when enabled).
    bool record_rejection(std::string_view host, const config::PinnedReliefConfig& config,
                          Clock::time_point now = Clock::now());

    // True (and counted) while host is on the temporary splice list.
    bool should_splice(std::string_view host, Clock::time_point now = Clock::now());

    Counters counters() const;

  private:
    identity::StrikeCounter strikes_;
    std::atomic<std::uint64_t> rejections_{0}, relieved_{0}, spliced_{0};
};

// True for the TLS alerts a client sends when it does not accept the certificate it was shown
// (unknown_ca, bad_certificate, certificate_unknown, unsupported_certificate), given the
// OpenSSL reason code of the handshake error.
bool is_certificate_rejection(int openssl_reason);

}  // namespace minewall::proxy
