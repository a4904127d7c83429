#pragma once
// A real HTTPS origin for the interception tests: `openssl s_server -www` on 127.0.0.1 with a
// certificate from a test CA made with the openssl command (valid, expired, or for another
// host name).
#include <cstdint>
#include <memory>
#include <string>

#include "tests/support/child_process.hpp"

namespace minewall::testing {

class TlsOrigin {
  public:
    enum class Certificate { Valid, Expired, WrongHost };
    explicit TlsOrigin(Certificate kind = Certificate::Valid);

    std::uint16_t port() const { return port_; }
    const std::string& ca_file() const { return ca_file_; }  // the test CA (not minewall's)
    // The server's certificate (localhost, 127.0.0.1) and key, for other test servers.
    std::string cert_file() const { return dir_.file("server.pem"); }
    std::string key_file() const { return dir_.file("server.key"); }
    std::string url(const std::string& host, const std::string& path = "/") const {
        return "https://" + host + ":" + std::to_string(port_) + path;
    }

  private:
    TempDir dir_;
    std::string ca_file_;
    std::uint16_t port_ = 0;
    std::unique_ptr<ChildProcess> server_;
};

}  // namespace minewall::testing
