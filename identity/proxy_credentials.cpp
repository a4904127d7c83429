#include "identity/proxy_credentials.hpp"

#include <crypt.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <list>
#include <mutex>
#include <sstream>
#include <stdexcept>

#include "text/ascii_text.hpp"
#include "text/read_file.hpp"

namespace minewall::identity {

namespace {

// Decoded user:password pairs longer than this are not credentials anyone types.
constexpr std::size_t kMaxEncodedCredentials = 4096;
// libxcrypt refuses longer phrases anyway; checking first keeps the refusal explicit. (bcrypt
// itself only reads the first 72 bytes: a property of the format, same as in Apache.)
constexpr std::size_t kMaxPasswordBytes = CRYPT_MAX_PASSPHRASE_SIZE - 1;

using text::iequals;
using text::is_control;
using text::is_space;
using text::trim;

// Standard base64 alphabet value, or -1.
int base64_value(char c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

// Canonical padded base64 only: a lenient decoder would let two different header values mean
// the same credentials, which makes logs and caches harder to reason about.
std::optional<std::string> decode_base64_strict(std::string_view text) {
    if (text.empty() || text.size() % 4 != 0) return std::nullopt;
    std::string out;
    out.reserve(text.size() / 4 * 3);
    for (std::size_t i = 0; i < text.size(); i += 4) {
        const bool last = i + 4 == text.size();
        int v[4];
        int padding = 0;
        for (int k = 0; k < 4; ++k) {
            char c = text[i + k];
            if (c == '=') {
                // Padding only at the end of the last quartet, at most two characters.
                if (!last || k < 2) return std::nullopt;
                ++padding;
                v[k] = 0;
                continue;
            }
            if (padding > 0) return std::nullopt;  // data after '='
            v[k] = base64_value(c);
            if (v[k] < 0) return std::nullopt;
        }
        std::uint32_t bits = (std::uint32_t(v[0]) << 18) | (std::uint32_t(v[1]) << 12) |
                             (std::uint32_t(v[2]) << 6) | std::uint32_t(v[3]);
        // Non-zero bits under the padding are a non-canonical encoding.
        if (padding == 1 && (bits & 0xff) != 0) return std::nullopt;
        if (padding == 2 && (bits & 0xffff) != 0) return std::nullopt;
        out.push_back(char((bits >> 16) & 0xff));
        if (padding < 2) out.push_back(char((bits >> 8) & 0xff));
        if (padding < 1) out.push_back(char(bits & 0xff));
    }
    return out;
}

// ---- Hash formats -------------------------------------------------------------------------

bool is_crypt_alphabet(char c) {
    return c == '.' || c == '/' || (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') ||
           (c >= 'a' && c <= 'z');
}

bool all_crypt_alphabet(std::string_view s) {
    return std::all_of(s.begin(), s.end(), is_crypt_alphabet);
}

bool starts_with(std::string_view s, std::string_view prefix) {
    return s.substr(0, prefix.size()) == prefix;
}

// "$2b$10$" + 22 salt + 31 hash characters.
bool is_wellformed_bcrypt(std::string_view h) {
    if (h.size() != 60 || h[6] != '$') return false;
    unsigned cost = 0;
    auto [ptr, ec] = std::from_chars(h.data() + 4, h.data() + 6, cost);
    if (ec != std::errc{} || ptr != h.data() + 6 || cost < 4 || cost > 31) return false;
    return all_crypt_alphabet(h.substr(7));
}

// "$6$[rounds=N$]salt$" + 86 characters.
bool is_wellformed_sha512_crypt(std::string_view h) {
    h.remove_prefix(3);
    if (starts_with(h, "rounds=")) {
        auto dollar = h.find('$');
        if (dollar == std::string_view::npos) return false;
        auto digits = h.substr(7, dollar - 7);
        if (digits.empty() ||
            !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
            return false;
        h.remove_prefix(dollar + 1);
    }
    auto dollar = h.find('$');
    if (dollar == std::string_view::npos || dollar == 0 || dollar > 16) return false;
    auto salt = h.substr(0, dollar);
    if (std::any_of(salt.begin(), salt.end(), [](char c) { return c == ':' || is_control(c); }))
        return false;
    auto checksum = h.substr(dollar + 1);
    return checksum.size() == 86 && all_crypt_alphabet(checksum);
}

// "$y$params$salt$" + 43 characters.
bool is_wellformed_yescrypt(std::string_view h) {
    h.remove_prefix(3);
    std::string_view parts[3];
    for (int i = 0; i < 3; ++i) {
        auto dollar = h.find('$');
        if ((i < 2) != (dollar != std::string_view::npos)) return false;
        parts[i] = h.substr(0, dollar);
        if (parts[i].empty() || !all_crypt_alphabet(parts[i])) return false;
        if (i < 2) h.remove_prefix(dollar + 1);
    }
    return parts[2].size() == 43;
}

constexpr std::string_view kRehash = "; re-create the entry with htpasswd -B";

// Why a stored hash is not accepted, or nullopt when it is. Messages never quote the hash:
// it may be a plaintext password.
std::optional<std::string> refuse_hash(std::string_view h) {
    if (h.empty()) return "empty password hash";
    if (starts_with(h, "{SHA}"))
        return std::string("weak unsalted SHA-1 hash ({SHA}) refused") + std::string(kRehash);
    if (starts_with(h, "$apr1$"))
        return std::string("weak Apache MD5 hash ($apr1$) refused") + std::string(kRehash);
    if (starts_with(h, "$1$"))
        return std::string("weak MD5-crypt hash ($1$) refused") + std::string(kRehash);
    if (starts_with(h, "$2a$") || starts_with(h, "$2x$"))
        return std::string("legacy bcrypt variant (") + std::string(h.substr(0, 4)) + ") refused" +
               std::string(kRehash);
    bool wellformed = false;
    std::string method;
    if (starts_with(h, "$2b$") || starts_with(h, "$2y$")) {
        method = "bcrypt";
        wellformed = is_wellformed_bcrypt(h);
    } else if (starts_with(h, "$6$")) {
        method = "sha512-crypt ($6$)";
        wellformed = is_wellformed_sha512_crypt(h);
    } else if (starts_with(h, "$y$")) {
        method = "yescrypt ($y$)";
        wellformed = is_wellformed_yescrypt(h);
    } else if (h.front() == '$') {
        return std::string(
                   "unsupported hash method (accepted: bcrypt $2b$/$2y$, sha512-crypt "
                   "$6$, yescrypt $y$)") +
               std::string(kRehash);
    } else if (h.size() == 13 && all_crypt_alphabet(h)) {
        return std::string("weak DES crypt hash refused") + std::string(kRehash);
    } else {
        return std::string("plaintext or unrecognised password hash refused") +
               std::string(kRehash);
    }
    if (!wellformed) return "malformed " + method + " hash";
    // libxcrypt has the final say on whether this build supports and allows the method.
    std::string copy(h);
    if (crypt_checksalt(copy.c_str()) != CRYPT_SALT_OK)
        return method + " hash rejected by libxcrypt (invalid or disabled method)";
    return std::nullopt;
}

// One crypt(3) run; true when the password hashes to `stored`.
bool crypt_matches(std::string_view password, const std::string& stored) {
    // crypt_data is 32 KiB: heap, not stack, and zeroed as libxcrypt asks before first use.
    auto data = std::make_unique<crypt_data>();
    std::string phrase(password);
    const char* out = crypt_rn(phrase.c_str(), stored.c_str(), data.get(), sizeof(crypt_data));
    bool match = out != nullptr && std::char_traits<char>::length(out) == stored.size() &&
                 CRYPTO_memcmp(out, stored.data(), stored.size()) == 0;
    OPENSSL_cleanse(phrase.data(), phrase.size());
    OPENSSL_cleanse(data.get(), sizeof(crypt_data));
    return match;
}

std::string format_error(const std::string& name, std::size_t line, std::string_view message) {
    std::ostringstream out;
    out << name << ':' << line << ": " << message;
    return out.str();
}

using Digest = std::array<unsigned char, 32>;

}  // namespace

// ---- Basic scheme -------------------------------------------------------------------------

std::optional<BasicCredentials> parse_proxy_authorization(std::string_view header_value) {
    auto value = trim(header_value);
    auto space = value.find(' ');
    if (space == std::string_view::npos) return std::nullopt;
    if (!iequals(value.substr(0, space), "basic")) return std::nullopt;
    auto token = value.substr(space);
    while (!token.empty() && token.front() == ' ')
        token.remove_prefix(1);
    if (token.size() > kMaxEncodedCredentials) return std::nullopt;
    auto decoded = decode_base64_strict(token);
    if (!decoded) return std::nullopt;
    auto colon = decoded->find(':');
    if (colon == std::string::npos || colon == 0) {
        OPENSSL_cleanse(decoded->data(), decoded->size());
        return std::nullopt;
    }
    BasicCredentials creds{decoded->substr(0, colon), decoded->substr(colon + 1)};
    OPENSSL_cleanse(decoded->data(), decoded->size());
    if (std::any_of(creds.user.begin(), creds.user.end(), is_control)) return std::nullopt;
    return creds;
}

std::string render_proxy_authenticate(std::string_view realm) {
    std::string out = "Basic realm=\"";
    for (char c : realm) {
        if (is_control(c)) continue;
        if (c == '"' || c == '\\') out.push_back('\\');
        out.push_back(c);
    }
    out += "\", charset=\"UTF-8\"";
    return out;
}

// ---- Verification cache and counters ------------------------------------------------------

struct ProxyCredentials::Runtime {
    explicit Runtime(VerificationCacheOptions opts) : options(std::move(opts)) {
        if (!options.now) options.now = [] { return std::chrono::steady_clock::now(); };
        if (RAND_bytes(key.data(), static_cast<int>(key.size())) != 1)
            throw std::runtime_error("proxy credentials: no randomness for the cache key");
    }
    ~Runtime() { OPENSSL_cleanse(key.data(), key.size()); }

    Digest digest(std::string_view user, std::string_view password) const {
        // user and password are length-prefixed by the NUL: users never contain one.
        std::string message;
        message.reserve(user.size() + 1 + password.size());
        message.append(user).push_back('\0');
        message.append(password);
        Digest out{};
        unsigned int length = 0;
        HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
             reinterpret_cast<const unsigned char*>(message.data()), message.size(), out.data(),
             &length);
        OPENSSL_cleanse(message.data(), message.size());
        return out;
    }

    bool remembered(const Digest& d) {
        if (options.capacity == 0) return false;
        auto now = options.now();
        std::lock_guard lock(mutex);
        auto it = index.find(d);
        if (it == index.end()) return false;
        if (it->second->expires <= now) {
            recent.erase(it->second);
            index.erase(it);
            return false;
        }
        recent.splice(recent.begin(), recent, it->second);
        return true;
    }

    void remember(const Digest& d) {
        if (options.capacity == 0) return;
        auto expires = options.now() + options.ttl;
        std::lock_guard lock(mutex);
        if (auto it = index.find(d); it != index.end()) {
            it->second->expires = expires;
            recent.splice(recent.begin(), recent, it->second);
            return;
        }
        while (index.size() >= options.capacity) {
            index.erase(recent.back().digest);
            recent.pop_back();
        }
        recent.push_front({d, expires});
        index.emplace(d, recent.begin());
    }

    struct Entry {
        Digest digest;
        std::chrono::steady_clock::time_point expires;
    };

    VerificationCacheOptions options;
    Digest key{};
    std::mutex mutex;
    std::list<Entry> recent;  // most recently used first; eviction from the back
    std::map<Digest, std::list<Entry>::iterator> index;

    std::atomic<std::uint64_t> hash_computations{0};
    std::atomic<std::uint64_t> cache_hits{0};
    std::atomic<std::uint64_t> accepted{0};
    std::atomic<std::uint64_t> rejected{0};
};

ProxyCredentials::ProxyCredentials(VerificationCacheOptions cache)
    : runtime_(std::make_unique<Runtime>(std::move(cache))) {}

ProxyCredentials::~ProxyCredentials() = default;

// ---- Loading ------------------------------------------------------------------------------

ProxyCredentials::LoadResult ProxyCredentials::load_text(std::string_view text,
                                                         const std::string& name,
                                                         VerificationCacheOptions cache) {
    std::shared_ptr<ProxyCredentials> creds(new ProxyCredentials(std::move(cache)));
    LoadResult result;
    std::map<std::string, std::size_t, std::less<>> first_line;
    if (starts_with(text, "\xEF\xBB\xBF")) text.remove_prefix(3);  // UTF-8 BOM from editors

    std::size_t line_number = 0;
    while (!text.empty()) {
        ++line_number;
        auto newline = text.find('\n');
        auto line = text.substr(0, newline);
        text.remove_prefix(newline == std::string_view::npos ? text.size() : newline + 1);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        line = trim(line);
        if (line.empty() || line.front() == '#') continue;

        auto colon = line.find(':');
        if (colon == std::string_view::npos) {
            result.errors.push_back(format_error(name, line_number, "expected user:hash"));
            continue;
        }
        auto user = line.substr(0, colon);
        auto hash = line.substr(colon + 1);
        if (user.empty()) {
            result.errors.push_back(format_error(name, line_number, "empty user name"));
            continue;
        }
        if (std::any_of(user.begin(), user.end(),
                        [](char c) { return is_control(c) || is_space(c); })) {
            result.errors.push_back(format_error(
                name, line_number, "user name contains whitespace or control characters"));
            continue;
        }
        if (auto reason = refuse_hash(hash)) {
            result.errors.push_back(
                format_error(name, line_number, "user '" + std::string(user) + "': " + *reason));
            continue;
        }
        if (auto it = first_line.find(user); it != first_line.end()) {
            result.errors.push_back(
                format_error(name, line_number,
                             "duplicate user '" + std::string(user) + "' (first defined on line " +
                                 std::to_string(it->second) + "); this line is ignored"));
            continue;
        }
        first_line.emplace(std::string(user), line_number);
        creds->hashes_.emplace(std::string(user), std::string(hash));
        if (creds->timing_dummy_hash_.empty()) creds->timing_dummy_hash_ = std::string(hash);
    }
    result.credentials = std::move(creds);
    return result;
}

ProxyCredentials::LoadResult ProxyCredentials::load_file(const std::string& path,
                                                         VerificationCacheOptions cache) {
    auto file = text::read_file(path);
    if (!file.content) {
        LoadResult result;
        result.errors.push_back(path + ": cannot read the proxy users file: " + file.error);
        return result;
    }
    return load_text(*file.content, path, std::move(cache));
}

// ---- Verification -------------------------------------------------------------------------

bool ProxyCredentials::has_user(std::string_view user) const {
    return hashes_.find(user) != hashes_.end();
}

bool ProxyCredentials::verify(std::string_view user, std::string_view password) const {
    auto& rt = *runtime_;
    // A NUL would end the phrase early in crypt(3): "secret\0junk" must not pass as "secret".
    if (user.empty() || password.size() > kMaxPasswordBytes ||
        password.find('\0') != std::string_view::npos) {
        ++rt.rejected;
        return false;
    }
    const Digest key = rt.digest(user, password);
    if (rt.remembered(key)) {
        ++rt.cache_hits;
        ++rt.accepted;
        return true;
    }
    auto it = hashes_.find(user);
    const std::string& stored = it != hashes_.end() ? it->second : timing_dummy_hash_;
    if (stored.empty()) {  // no users at all: nothing to compare or to hide
        ++rt.rejected;
        return false;
    }
    ++rt.hash_computations;
    const bool match = crypt_matches(password, stored) && it != hashes_.end();
    if (!match) {
        ++rt.rejected;
        return false;
    }
    rt.remember(key);
    ++rt.accepted;
    return true;
}

ProxyCredentials::Counters ProxyCredentials::counters() const {
    return {runtime_->hash_computations.load(), runtime_->cache_hits.load(),
            runtime_->accepted.load(), runtime_->rejected.load()};
}

}  // namespace minewall::identity
