#include "identity/proxy_credentials.hpp"

#include <crypt.h>
#include <doctest/doctest.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <thread>

using minewall::identity::parse_proxy_authorization;
using minewall::identity::ProxyCredentials;
using minewall::identity::render_proxy_authenticate;
using minewall::identity::VerificationCacheOptions;

namespace {

// A real hash made the way htpasswd/mkpasswd would, at the cheapest cost so tests stay fast.
std::string make_hash(const char* prefix, unsigned long cost, const std::string& password) {
    char setting[CRYPT_GENSALT_OUTPUT_SIZE];
    if (!crypt_gensalt_rn(prefix, cost, nullptr, 0, setting, sizeof setting))
        throw std::runtime_error(std::string("crypt_gensalt_rn failed for ") + prefix);
    auto data = std::make_unique<crypt_data>();
    const char* out = crypt_r(password.c_str(), setting, data.get());
    if (!out || out[0] == '*') throw std::runtime_error("crypt_r failed");
    return out;
}

std::string bcrypt(const std::string& password) {
    return make_hash("$2b$", 4, password);
}

std::string base64(std::string_view raw) {
    std::string out(4 * ((raw.size() + 2) / 3) + 1, '\0');
    int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                            reinterpret_cast<const unsigned char*>(raw.data()),
                            static_cast<int>(raw.size()));
    out.resize(static_cast<std::size_t>(n));
    return out;
}

std::shared_ptr<const ProxyCredentials> load_ok(const std::string& text,
                                                VerificationCacheOptions cache = {}) {
    auto r = ProxyCredentials::load_text(text, "users.htpasswd", std::move(cache));
    REQUIRE(r.credentials);
    CHECK(r.errors.empty());
    return r.credentials;
}

// A clock the test moves by hand.
struct ManualClock {
    std::shared_ptr<std::chrono::steady_clock::time_point> now =
        std::make_shared<std::chrono::steady_clock::time_point>();
    std::function<std::chrono::steady_clock::time_point()> function() const {
        auto shared = now;
        return [shared] { return *shared; };
    }
    void advance(std::chrono::seconds s) const { *now += s; }
};

}  // namespace

TEST_CASE("verifies bcrypt, sha512-crypt and yescrypt hashes") {
    const std::string text = "alice:" + bcrypt("wonderland") + "\n" +
                             "yves:" + make_hash("$2y$", 4, "htpasswd-B") + "\n" +
                             "bob:" + make_hash("$6$", 1000, "builder") + "\n" +
                             "carol:" + make_hash("$y$", 1, "yes-crypt") + "\n";
    auto creds = load_ok(text);
    CHECK(creds->user_count() == 4);
    CHECK(creds->verify("alice", "wonderland"));
    CHECK(creds->verify("yves", "htpasswd-B"));
    CHECK(creds->verify("bob", "builder"));
    CHECK(creds->verify("carol", "yes-crypt"));

    CHECK_FALSE(creds->verify("alice", "Wonderland"));
    CHECK_FALSE(creds->verify("bob", "builder "));
    CHECK_FALSE(creds->verify("carol", ""));
    CHECK_FALSE(creds->verify("alice", "builder"));  // another user's password
}

TEST_CASE("an unknown user is rejected after the same crypt work as a known one") {
    auto creds = load_ok("alice:" + bcrypt("wonderland") + "\n");
    CHECK_FALSE(creds->verify("mallory", "wonderland"));
    CHECK_FALSE(creds->verify("Alice", "wonderland"));  // names are case-sensitive
    auto c = creds->counters();
    CHECK(c.hash_computations == 2);
    CHECK(c.rejected == 2);
    CHECK(c.accepted == 0);
    CHECK_FALSE(creds->has_user("mallory"));
    CHECK(creds->has_user("alice"));
}

TEST_CASE("a users file without users rejects everyone") {
    auto creds = load_ok("# nobody yet\n\n");
    CHECK(creds->user_count() == 0);
    CHECK_FALSE(creds->verify("alice", "anything"));
}

TEST_CASE("a password with a NUL byte is not truncated into a match") {
    auto creds = load_ok("alice:" + make_hash("$6$", 1000, "secret") + "\n");
    CHECK(creds->verify("alice", "secret"));
    CHECK_FALSE(creds->verify("alice", std::string_view("secret\0junk", 11)));
    CHECK_FALSE(creds->verify("alice", std::string(2000, 'a')));
    CHECK_FALSE(creds->verify("", "secret"));
}

TEST_CASE("comments, blank lines, CRLF endings and a BOM are accepted") {
    const std::string text =
        "\xEF\xBB\xBF# proxy users\r\n\r\n   \r\nalice:" + bcrypt("wonderland") +
        "\r\n  # indented comment\n  bob:" + make_hash("$6$", 1000, "builder") + "  \n";
    auto creds = load_ok(text);
    CHECK(creds->user_count() == 2);
    CHECK(creds->verify("alice", "wonderland"));
    CHECK(creds->verify("bob", "builder"));
}

TEST_CASE("malformed lines are reported with their line numbers and the rest loads") {
    const std::string good = bcrypt("wonderland");
    const std::string text = "alice:" + good + "\n" +               // 1
                             "no colon on this line\n" +            // 2
                             ":" + good + "\n" +                    // 3
                             "bob smith:" + good + "\n" +           // 4
                             "alice:" + good + "\n" +               // 5 duplicate
                             "carol:\n" +                           // 6 empty hash
                             "dave:" + good.substr(0, 40) + "\n" +  // 7 truncated bcrypt
                             "erin:$6$salt$tooshort\n" +            // 8
                             "frank:$y$j9T$salt\n" +                // 9 no hash part
                             "gina:" + good + "\n";                 // 10
    auto r = ProxyCredentials::load_text(text, "users.htpasswd");
    REQUIRE(r.credentials);
    CHECK(r.credentials->user_count() == 2);
    CHECK(r.credentials->has_user("alice"));
    CHECK(r.credentials->has_user("gina"));
    REQUIRE(r.errors.size() == 8);
    CHECK(r.errors[0] == "users.htpasswd:2: expected user:hash");
    CHECK(r.errors[1] == "users.htpasswd:3: empty user name");
    CHECK(r.errors[2] == "users.htpasswd:4: user name contains whitespace or control characters");
    CHECK(r.errors[3] ==
          "users.htpasswd:5: duplicate user 'alice' (first defined on line 1); this line is "
          "ignored");
    CHECK(r.errors[4] == "users.htpasswd:6: user 'carol': empty password hash");
    CHECK(r.errors[5] == "users.htpasswd:7: user 'dave': malformed bcrypt hash");
    CHECK(r.errors[6] == "users.htpasswd:8: user 'erin': malformed sha512-crypt ($6$) hash");
    CHECK(r.errors[7] == "users.htpasswd:9: user 'frank': malformed yescrypt ($y$) hash");
    CHECK(r.credentials->verify("gina", "wonderland"));
}

TEST_CASE("weak and plaintext password entries are refused by name and line") {
    const std::string text =
        "sha:{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=\n"                             // 1 htpasswd -s
        "apr:$apr1$x9Nq1Ulp$ZQYdV.z5Ea/J1n5CbxNf41\n"                         // 2 htpasswd -m
        "md5:$1$saltsalt$qjXMvbEw8oaL.CzflDugX/\n"                            // 3
        "des:abJnggxhB/yWI\n"                                                 // 4 htpasswd -d
        "plain:correct horse battery staple\n"                                // 5 htpasswd -p
        "old:$2a$04$abcdefghijklmnopqrstuu5Y0J8N5mbYwDgkZ9Fl8nOoz/3CzUp2i\n"  // 6
        "sha256:$5$saltsalt$Gcm6FsVtF/Qa77ZKD.iwsJlCVPY0XSMgLJL0Hnww/c1\n";   // 7
    auto r = ProxyCredentials::load_text(text, "u");
    REQUIRE(r.credentials);
    CHECK(r.credentials->user_count() == 0);
    REQUIRE(r.errors.size() == 7);
    CHECK(r.errors[0].starts_with("u:1: user 'sha': weak unsalted SHA-1 hash ({SHA}) refused"));
    CHECK(r.errors[1].starts_with("u:2: user 'apr': weak Apache MD5 hash ($apr1$) refused"));
    CHECK(r.errors[2].starts_with("u:3: user 'md5': weak MD5-crypt hash ($1$) refused"));
    CHECK(r.errors[3].starts_with("u:4: user 'des': weak DES crypt hash refused"));
    CHECK(r.errors[4].starts_with("u:5: user 'plain': plaintext or unrecognised password hash"));
    CHECK(r.errors[5].starts_with("u:6: user 'old': legacy bcrypt variant ($2a$) refused"));
    CHECK(r.errors[6].starts_with("u:7: user 'sha256': unsupported hash method"));
    for (const auto& e : r.errors) {
        CHECK(e.find("htpasswd -B") != std::string::npos);
        // The entry itself may be a password: it is never echoed.
        CHECK(e.find("battery") == std::string::npos);
        CHECK(e.find("saltsalt") == std::string::npos);
    }
    CHECK_FALSE(r.credentials->verify("plain", "correct horse battery staple"));
}

TEST_CASE("load_file reads a users file and reports one it cannot read") {
    auto path = std::filesystem::temp_directory_path() /
                ("minewall-identity-users-" + std::to_string(::getpid()));
    {
        std::ofstream out(path);
        out << "alice:" << bcrypt("wonderland") << "\nbroken\n";
    }
    auto r = ProxyCredentials::load_file(path.string());
    REQUIRE(r.credentials);
    CHECK(r.credentials->verify("alice", "wonderland"));
    REQUIRE(r.errors.size() == 1);
    CHECK(r.errors[0] == path.string() + ":2: expected user:hash");
    std::filesystem::remove(path);

    auto missing = ProxyCredentials::load_file(path.string());
    CHECK_FALSE(missing.credentials);
    REQUIRE(missing.errors.size() == 1);
    CHECK(missing.errors[0] ==
          path.string() + ": cannot read the proxy users file: No such file or directory");

    auto directory = ProxyCredentials::load_file(std::filesystem::temp_directory_path().string());
    CHECK_FALSE(directory.credentials);
}

TEST_CASE("a repeated successful verification is served from the cache without crypt") {
    auto creds = load_ok("alice:" + bcrypt("wonderland") + "\n");
    CHECK(creds->verify("alice", "wonderland"));
    CHECK(creds->counters().hash_computations == 1);
    for (int i = 0; i < 5; ++i)
        CHECK(creds->verify("alice", "wonderland"));
    auto c = creds->counters();
    CHECK(c.hash_computations == 1);
    CHECK(c.cache_hits == 5);
    CHECK(c.accepted == 6);

    // Failures are never cached, and a cached success does not vouch for another password.
    CHECK_FALSE(creds->verify("alice", "wrong"));
    CHECK_FALSE(creds->verify("alice", "wrong"));
    CHECK(creds->counters().hash_computations == 3);
    CHECK(creds->counters().cache_hits == 5);
}

TEST_CASE("cached verifications expire after the ttl") {
    ManualClock clock;
    auto creds = load_ok("alice:" + bcrypt("wonderland") + "\n",
                         {std::chrono::seconds(300), 16, clock.function()});
    CHECK(creds->verify("alice", "wonderland"));
    clock.advance(std::chrono::seconds(299));
    CHECK(creds->verify("alice", "wonderland"));
    CHECK(creds->counters().hash_computations == 1);
    clock.advance(std::chrono::seconds(1));  // exactly at expiry: verified afresh
    CHECK(creds->verify("alice", "wonderland"));
    CHECK(creds->counters().hash_computations == 2);
    CHECK(creds->verify("alice", "wonderland"));
    CHECK(creds->counters().hash_computations == 2);
}

TEST_CASE("the cache is bounded and evicts the least recently used entry") {
    const std::string text = "a:" + bcrypt("pa") + "\nb:" + bcrypt("pb") + "\nc:" + bcrypt("pc");
    auto creds = load_ok(text, {std::chrono::seconds(300), 2, {}});
    CHECK(creds->verify("a", "pa"));
    CHECK(creds->verify("b", "pb"));
    CHECK(creds->verify("a", "pa"));  // a is now the most recent
    CHECK(creds->counters().hash_computations == 2);
    CHECK(creds->verify("c", "pc"));  // evicts b
    CHECK(creds->verify("a", "pa"));
    CHECK(creds->counters().hash_computations == 3);
    CHECK(creds->verify("b", "pb"));
    CHECK(creds->counters().hash_computations == 4);
}

TEST_CASE("a zero capacity disables the cache") {
    auto creds = load_ok("a:" + bcrypt("pa") + "\n", {std::chrono::seconds(300), 0, {}});
    CHECK(creds->verify("a", "pa"));
    CHECK(creds->verify("a", "pa"));
    CHECK(creds->counters().hash_computations == 2);
    CHECK(creds->counters().cache_hits == 0);
}

TEST_CASE("concurrent verifications agree and share the cache") {
    auto creds = load_ok("a:" + bcrypt("pa") + "\n");
    REQUIRE(creds->verify("a", "pa"));
    std::vector<std::thread> threads;
    std::atomic<int> wrong{0};
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&] {
            for (int i = 0; i < 200; ++i)
                if (!creds->verify("a", "pa")) ++wrong;
        });
    for (auto& t : threads)
        t.join();
    CHECK(wrong == 0);
    CHECK(creds->counters().hash_computations == 1);
    CHECK(creds->counters().cache_hits == 800);
}

TEST_CASE("parses a Basic Proxy-Authorization value") {
    auto c = parse_proxy_authorization("Basic " + base64("alice:wonderland"));
    REQUIRE(c);
    CHECK(c->user == "alice");
    CHECK(c->password == "wonderland");

    auto upper = parse_proxy_authorization("  BASIC   " + base64("bob:x") + " \t");
    REQUIRE(upper);
    CHECK(upper->user == "bob");
    CHECK(upper->password == "x");
    CHECK(parse_proxy_authorization("bAsIc " + base64("bob:x")));
}

TEST_CASE("the password is everything after the first colon") {
    auto c = parse_proxy_authorization("Basic " + base64("alice:a:b::c:"));
    REQUIRE(c);
    CHECK(c->user == "alice");
    CHECK(c->password == "a:b::c:");

    auto empty = parse_proxy_authorization("Basic " + base64("alice:"));
    REQUIRE(empty);
    CHECK(empty->password.empty());
}

TEST_CASE("UTF-8 user names and passwords pass through as bytes") {
    auto c = parse_proxy_authorization("Basic " + base64("j\xC3\xB6rg:p\xC3\xA4ss\xE2\x82\xAC"));
    REQUIRE(c);
    CHECK(c->user == "j\xC3\xB6rg");
    CHECK(c->password == "p\xC3\xA4ss\xE2\x82\xAC");
}

TEST_CASE("hostile or malformed Proxy-Authorization values are rejected") {
    CHECK_FALSE(parse_proxy_authorization(""));
    CHECK_FALSE(parse_proxy_authorization("Basic"));
    CHECK_FALSE(parse_proxy_authorization("Basic "));
    CHECK_FALSE(parse_proxy_authorization("Basic" + base64("alice:pw")));  // no space
    CHECK_FALSE(parse_proxy_authorization("Bearer " + base64("alice:pw")));
    CHECK_FALSE(parse_proxy_authorization("Digest username=\"alice\""));
    CHECK_FALSE(parse_proxy_authorization("Basic " + base64("alice")));       // no colon
    CHECK_FALSE(parse_proxy_authorization("Basic " + base64(":pw")));         // empty user
    CHECK_FALSE(parse_proxy_authorization("Basic " + base64("al\nice:pw")));  // log injection
    CHECK_FALSE(parse_proxy_authorization("Basic " + base64("al\x7F"
                                                            "ice:pw")));
    CHECK_FALSE(parse_proxy_authorization("Basic " + base64("alice:pw") + " extra"));
    CHECK_FALSE(parse_proxy_authorization("Basic " + std::string(8000, 'A')));

    // base64 must be canonical.
    CHECK(parse_proxy_authorization("Basic YTpi"));            // "a:b"
    CHECK_FALSE(parse_proxy_authorization("Basic YTpi="));     // stray padding
    CHECK_FALSE(parse_proxy_authorization("Basic YTp"));       // length not a multiple of 4
    CHECK_FALSE(parse_proxy_authorization("Basic YTpiYw"));    // missing padding
    CHECK(parse_proxy_authorization("Basic YTpiYw=="));        // "a:bc"
    CHECK_FALSE(parse_proxy_authorization("Basic YTpiYx=="));  // non-zero bits under padding
    CHECK_FALSE(parse_proxy_authorization("Basic YTpiYw=a"));  // data after padding
    CHECK_FALSE(parse_proxy_authorization("Basic YT=iYw=="));  // padding mid-stream
    CHECK_FALSE(parse_proxy_authorization("Basic YTpi*w=="));  // outside the alphabet
    CHECK_FALSE(parse_proxy_authorization("Basic YTpi\xC3\xA4w="));
    CHECK_FALSE(parse_proxy_authorization("Basic ===="));
    CHECK_FALSE(parse_proxy_authorization(std::string_view("Basic YTpi\0\0\0\0", 14)));
}

TEST_CASE("every encodable user:password round-trips through the parser") {
    const std::string samples[] = {"a:b",
                                   "user:p@ss w0rd!",
                                   "x:\xFF\xFE",
                                   "u:" + std::string(300, 'z'),
                                   "name.with-dots:colon:inside",
                                   "u:\t\r\n"};
    for (const auto& raw : samples) {
        auto c = parse_proxy_authorization("Basic " + base64(raw));
        REQUIRE(c);
        CHECK(c->user + ":" + c->password == raw);
    }
}

TEST_CASE("renders the Proxy-Authenticate challenge") {
    CHECK(render_proxy_authenticate() == "Basic realm=\"minewall\", charset=\"UTF-8\"");
    CHECK(render_proxy_authenticate("Corp proxy") ==
          "Basic realm=\"Corp proxy\", charset=\"UTF-8\"");
    CHECK(render_proxy_authenticate("a\"b\\c\r\nd") ==
          "Basic realm=\"a\\\"b\\\\cd\", charset=\"UTF-8\"");
}

TEST_CASE("a verified header end to end") {
    auto creds = load_ok("alice:" + make_hash("$y$", 1, "p:w") + "\n");
    auto c = parse_proxy_authorization("Basic " + base64("alice:p:w"));
    REQUIRE(c);
    CHECK(creds->verify(c->user, c->password));
}
