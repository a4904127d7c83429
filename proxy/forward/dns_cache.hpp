#pragma once
// Addresses of origin names recently resolved, shared by all workers. getaddrinfo runs on
// Asio's resolver thread: each lookup costs a thread hop and a read of /etc/hosts and
// resolv.conf, per connection. getaddrinfo does not report record TTLs, so entries live for a
// fixed, short time (upstream.dns_cache_ttl); failures are not cached.
#include <chrono>
#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace minewall::proxy {

class DnsCache {
  public:
    using Clock = std::chrono::steady_clock;

    explicit DnsCache(std::size_t capacity = 4096) : capacity_(capacity) {}

    // The addresses (text) stored for host, unless expired.
    std::optional<std::vector<std::string>> find(std::string_view host,
                                                 Clock::time_point now = Clock::now()) const;
    void store(std::string_view host, std::vector<std::string> addresses,
               Clock::time_point expires);

    std::size_t size() const;

  private:
    struct Entry {
        std::vector<std::string> addresses;
        Clock::time_point expires;
    };
    mutable std::mutex mutex_;
    std::unordered_map<std::string, Entry> entries_;
    std::size_t capacity_;
};

}  // namespace minewall::proxy
