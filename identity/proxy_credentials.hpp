#pragma once
// Proxy authentication: the users file (htpasswd-style "user:hash" lines), password checks
// with crypt(3) from libxcrypt, and the Basic scheme of Proxy-Authorization /
// Proxy-Authenticate (RFC 7617, RFC 9110 section 11.7).
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace minewall::identity {

struct BasicCredentials {
    std::string user;
    std::string password;
};

// Parses a Proxy-Authorization value "Basic <base64(user:password)>". The scheme is
// case-insensitive; the base64 must be canonical (padded, no stray characters). nullopt for any
// other scheme, invalid base64, no colon, an empty user, or control characters in the user
// (it is written to logs). The password is everything after the first colon and may itself
// contain colons.
std::optional<BasicCredentials> parse_proxy_authorization(std::string_view header_value);

// The Proxy-Authenticate value sent with a 407: Basic realm="<realm>", charset="UTF-8".
// Quotes and backslashes in the realm are escaped; control characters are dropped.
std::string render_proxy_authenticate(std::string_view realm = "minewall");

// Remembers recent successful verifications. bcrypt at htpasswd's default cost takes
// 50-100 ms of CPU by design; a proxy sees the same Proxy-Authorization on every request of a
// session, so paying that each time would cap a core at ~15 requests/s. Entries are keyed by
// HMAC-SHA-256(user, password) under a random per-process key, so the cache never holds a
// password or a fast unkeyed hash of one that could be brute-forced from a memory dump.
struct VerificationCacheOptions {
    std::chrono::seconds ttl{300};
    std::size_t capacity = 1024;  // 0 disables the cache
    // Clock for expiry; empty means std::chrono::steady_clock::now (tests inject their own).
    std::function<std::chrono::steady_clock::time_point()> now;
};

// An immutable users table (shared as std::shared_ptr<const ProxyCredentials>; a reload builds
// a new one, which also starts with an empty cache so a changed password takes effect).
// verify() is thread-safe.
class ProxyCredentials {
  public:
    struct LoadResult {
        // Null only when the file cannot be read. Otherwise the users from every good line,
        // even when some lines were bad: the caller decides whether errors are fatal.
        std::shared_ptr<const ProxyCredentials> credentials;
        std::vector<std::string> errors;  // "file:line: message" (never quotes a hash)
    };

    // Accepted hashes: bcrypt $2b$/$2y$ (htpasswd -B), sha512-crypt $6$, yescrypt $y$.
    // Plaintext, {SHA}, $apr1$, $1$ (MD5), $2a$ and DES are refused line by line.
    static LoadResult load_file(const std::string& path, VerificationCacheOptions cache = {});
    static LoadResult load_text(std::string_view text, const std::string& name,
                                VerificationCacheOptions cache = {});

    // True when the user exists and the password matches its hash. An unknown user still costs
    // one crypt against a stored hash so response time does not reveal which names exist.
    bool verify(std::string_view user, std::string_view password) const;

    bool has_user(std::string_view user) const;
    std::size_t user_count() const { return hashes_.size(); }

    struct Counters {
        std::uint64_t hash_computations = 0;  // crypt(3) calls made by verify()
        std::uint64_t cache_hits = 0;
        std::uint64_t accepted = 0;
        std::uint64_t rejected = 0;
    };
    Counters counters() const;

    ~ProxyCredentials();
    ProxyCredentials(const ProxyCredentials&) = delete;
    ProxyCredentials& operator=(const ProxyCredentials&) = delete;

  private:
    struct Runtime;  // verification cache and counters (mutable, behind a mutex/atomics)

    explicit ProxyCredentials(VerificationCacheOptions cache);

    std::map<std::string, std::string, std::less<>> hashes_;  // user -> crypt hash
    std::string timing_dummy_hash_;  // hash checked for unknown users (first user's)
    std::unique_ptr<Runtime> runtime_;
};

}  // namespace minewall::identity
