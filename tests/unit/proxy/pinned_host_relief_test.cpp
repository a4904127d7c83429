#include "proxy/tunnel/pinned_host_relief.hpp"

#include <doctest/doctest.h>
#include <openssl/ssl.h>

#include "identity/strike_counter.hpp"

using minewall::proxy::is_certificate_rejection;
using minewall::proxy::PinnedHostRelief;
using namespace std::chrono_literals;

namespace {

minewall::config::PinnedReliefConfig enabled_relief() {
    minewall::config::PinnedReliefConfig config;
    config.enabled = true;
    config.failures = 3;
    config.window = 60s;
    config.splice_ttl = 10min;
    return config;
}

}  // namespace

TEST_CASE("a host is spliced after the configured number of rejections within the window") {
    PinnedHostRelief relief;
    auto config = enabled_relief();
    auto t0 = PinnedHostRelief::Clock::time_point{} + 1h;
    CHECK_FALSE(relief.record_rejection("app.example", config, t0));
    CHECK_FALSE(relief.record_rejection("app.example", config, t0 + 1s));
    CHECK_FALSE(relief.should_splice("app.example", t0 + 2s));
    CHECK(relief.record_rejection("APP.example", config, t0 + 2s));
    CHECK(relief.should_splice("app.example", t0 + 3s));
    CHECK(relief.should_splice("App.Example", t0 + 9min));
    CHECK_FALSE(relief.should_splice("other.example", t0 + 3s));
    auto counters = relief.counters();
    CHECK(counters.rejections == 3);
    CHECK(counters.relieved == 1);
    CHECK(counters.spliced == 2);
}

TEST_CASE("the temporary splice ends after its ttl and the host is bumped again") {
    PinnedHostRelief relief;
    auto config = enabled_relief();
    auto t0 = PinnedHostRelief::Clock::time_point{} + 1h;
    for (int i = 0; i < 3; ++i)
        relief.record_rejection("app.example", config, t0 + std::chrono::seconds(i));
    CHECK(relief.should_splice("app.example", t0 + 5min));
    CHECK_FALSE(relief.should_splice("app.example", t0 + 11min));
    // Counting starts afresh: one more rejection is not enough.
    CHECK_FALSE(relief.record_rejection("app.example", config, t0 + 12min));
    CHECK_FALSE(relief.should_splice("app.example", t0 + 12min));
}

TEST_CASE("rejections spread wider than the window do not add up") {
    PinnedHostRelief relief;
    auto config = enabled_relief();
    auto t0 = PinnedHostRelief::Clock::time_point{} + 1h;
    CHECK_FALSE(relief.record_rejection("app.example", config, t0));
    CHECK_FALSE(relief.record_rejection("app.example", config, t0 + 50s));
    CHECK_FALSE(relief.record_rejection("app.example", config, t0 + 70s));  // first one expired
    CHECK_FALSE(relief.should_splice("app.example", t0 + 71s));
    CHECK(relief.record_rejection("app.example", config, t0 + 80s));  // 50s, 70s, 80s
}

TEST_CASE("relief that is switched off only counts rejections") {
    PinnedHostRelief relief;
    auto config = enabled_relief();
    config.enabled = false;
    auto t0 = PinnedHostRelief::Clock::time_point{} + 1h;
    for (int i = 0; i < 10; ++i)
        CHECK_FALSE(relief.record_rejection("app.example", config, t0 + std::chrono::seconds(i)));
    CHECK_FALSE(relief.should_splice("app.example", t0 + 20s));
    CHECK(relief.counters().rejections == 10);
    CHECK(relief.counters().relieved == 0);
}

TEST_CASE("hosts with only old rejections are forgotten") {
    PinnedHostRelief relief;
    auto config = enabled_relief();
    auto t0 = PinnedHostRelief::Clock::time_point{} + 1h;
    relief.record_rejection("a.example", config, t0);
    relief.record_rejection("a.example", config, t0 + 1s);
    // Much later: the old entry is pruned, so a.example starts from zero again.
    relief.record_rejection("b.example", config, t0 + 10min);
    CHECK_FALSE(relief.record_rejection("a.example", config, t0 + 10min));
    CHECK_FALSE(relief.should_splice("a.example", t0 + 10min));
}

TEST_CASE("certificate rejection alerts are told apart from other handshake failures") {
    CHECK(is_certificate_rejection(SSL_R_TLSV1_ALERT_UNKNOWN_CA));
    CHECK(is_certificate_rejection(SSL_R_SSLV3_ALERT_BAD_CERTIFICATE));
    CHECK(is_certificate_rejection(SSL_R_SSLV3_ALERT_CERTIFICATE_UNKNOWN));
    CHECK_FALSE(is_certificate_rejection(SSL_R_WRONG_VERSION_NUMBER));
    CHECK_FALSE(is_certificate_rejection(SSL_R_NO_SHARED_CIPHER));
    CHECK_FALSE(is_certificate_rejection(0));
}

TEST_CASE("a strike counter reports the penalty left and forgets a cleared key") {
    minewall::identity::StrikeCounter counter;
    minewall::identity::StrikeCounter::Rule rule{2, 10s, 30s};
    auto t0 = minewall::identity::StrikeCounter::Clock::time_point{} + 1h;
    CHECK_FALSE(counter.strike("10.0.0.1", rule, t0));
    CHECK(counter.penalty_left("10.0.0.1", t0).count() == 0);
    CHECK(counter.strike("10.0.0.1", rule, t0 + 1s));
    CHECK(counter.penalty_left("10.0.0.1", t0 + 11s) == std::chrono::milliseconds(20'000));
    CHECK(counter.penalty_left("10.0.0.2", t0 + 11s).count() == 0);
    // Strikes during the penalty do not extend it.
    CHECK_FALSE(counter.strike("10.0.0.1", rule, t0 + 12s));
    CHECK(counter.penalty_left("10.0.0.1", t0 + 30s) == std::chrono::milliseconds(1'000));
    counter.clear("10.0.0.1");
    CHECK(counter.penalty_left("10.0.0.1", t0 + 30s).count() == 0);
}
