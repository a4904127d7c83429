#pragma once
// An HTTPS origin that keeps connections alive (openssl s_server -www closes after each
// answer): Beast over TLS on 127.0.0.1, one thread per connection, every GET answered with
// "hello over tls\n". Counts accepted TCP connections and completed TLS handshakes, to tell
// reused origin connections from new ones.
#include <cstdint>
#include <memory>
#include <string>

namespace minewall::testing {

class TlsHttpOrigin {
  public:
    TlsHttpOrigin(const std::string& cert_file, const std::string& key_file);
    ~TlsHttpOrigin();
    TlsHttpOrigin(const TlsHttpOrigin&) = delete;
    TlsHttpOrigin& operator=(const TlsHttpOrigin&) = delete;

    std::uint16_t port() const;
    std::uint64_t tcp_connections() const;  // accepted, whether or not TLS followed
    std::uint64_t tls_handshakes() const;
    std::uint64_t requests_served() const;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace minewall::testing
