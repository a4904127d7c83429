#include "identity/identity_sources.hpp"

#include <doctest/doctest.h>

using namespace minewall;
using namespace minewall::identity;

TEST_CASE("X-Forwarded-For is believed only from trusted forwarders") {
    std::vector<config::Cidr> trusted{*config::Cidr::parse("10.0.0.0/8")};
    CHECK(attributed_client_ip("10.1.1.1", "192.168.7.7", trusted) == "192.168.7.7");
    CHECK(attributed_client_ip("172.16.0.9", "192.168.7.7", trusted) == "172.16.0.9");
    CHECK(attributed_client_ip("10.1.1.1", "", trusted) == "10.1.1.1");
}

TEST_CASE("the right-most untrusted X-Forwarded-For entry is the client") {
    std::vector<config::Cidr> trusted{*config::Cidr::parse("10.0.0.0/8")};
    // A client can prepend anything; only what trusted hops appended counts.
    CHECK(attributed_client_ip("10.1.1.1", "6.6.6.6, 192.168.7.7, 10.2.2.2", trusted) ==
          "192.168.7.7");
    CHECK(attributed_client_ip("10.1.1.1", "not-an-ip, 10.2.2.2", trusted) == "10.1.1.1");
    CHECK(attributed_client_ip("10.1.1.1", "2001:db8::5", trusted) == "2001:db8::5");
}

TEST_CASE("identity sources load errors carry file and line") {
    config::IdentityConfig cfg;
    cfg.users_file = "/nonexistent/users";
    auto r = load_identity_sources(cfg);
    CHECK_FALSE(r.sources);
    REQUIRE_FALSE(r.errors.empty());
    CHECK(r.errors[0].find("/nonexistent/users") != std::string::npos);
    auto none = load_identity_sources(config::IdentityConfig{});
    REQUIRE(none.sources);
    CHECK_FALSE(none.sources->credentials);
    CHECK_FALSE(none.sources->map);
}
