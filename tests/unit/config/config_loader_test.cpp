#include "config/config_loader.hpp"

#include <doctest/doctest.h>

#include <filesystem>

using namespace minewall::config;

TEST_CASE("an empty file is a valid configuration with every default") {
    auto result = load_config_text("", "empty.yaml");
    REQUIRE(result.ok());
    const Config& c = *result.config;
    REQUIRE(c.listeners.size() == 1);
    CHECK(c.listeners[0].address == "127.0.0.1");
    CHECK(c.listeners[0].port == 3128);
    CHECK(c.connect_ports == std::vector<std::uint16_t>{443});
    CHECK(c.limits.max_header_bytes == 65536);
    CHECK(any_contains(c.allowed_clients, "127.0.0.1"));
    CHECK_FALSE(any_contains(c.allowed_clients, "10.1.2.3"));
}

TEST_CASE("the embedded default parses and listens on loopback 3128") {
    auto c = embedded_default_config();
    REQUIRE(c.listeners.size() == 1);
    CHECK(c.listeners[0].address == "127.0.0.1");
    CHECK(c.listeners[0].port == 3128);
    CHECK(c.tunnel.idle_timeout == Millis{300'000});
    CHECK(c.shutdown.drain_timeout == Millis{10'000});
    CHECK(embedded_default_config_text().find("listeners:") != std::string_view::npos);
}

TEST_CASE("a full configuration is read into the structs") {
    auto result = load_config_text(R"(
listeners:
  - address: 0.0.0.0
    port: 8080
  - address: "::1"
    port: 8081
allowed_clients: [10.0.0.0/8, 192.168.1.7]
connect_ports: [443, 8443]
worker_threads: 3
log_level: debug
upstream:
  connect_timeout: 2s
  idle_timeout: 500ms
client:
  header_timeout: 1m
limits:
  max_connections: 50
  max_header_bytes: 8192
)",
                                   "full.yaml");
    REQUIRE(result.ok());
    const Config& c = *result.config;
    REQUIRE(c.listeners.size() == 2);
    CHECK(c.listeners[1].address == "::1");
    CHECK(c.listeners[1].port == 8081);
    CHECK(any_contains(c.allowed_clients, "10.200.0.1"));
    CHECK(any_contains(c.allowed_clients, "192.168.1.7"));
    CHECK_FALSE(any_contains(c.allowed_clients, "192.168.1.8"));
    CHECK_FALSE(any_contains(c.allowed_clients, "127.0.0.1"));
    CHECK(c.connect_ports == std::vector<std::uint16_t>{443, 8443});
    CHECK(c.worker_threads == 3);
    CHECK(c.upstream.connect_timeout == Millis{2000});
    CHECK(c.upstream.idle_timeout == Millis{500});
    CHECK(c.client.header_timeout == Millis{60'000});
    CHECK(c.limits.max_connections == 50);
}

TEST_CASE("an unknown key is an error with file, line and column") {
    auto result = load_config_text("log_level: info\nupstream:\n  conect_timeout: 3s\n", "a.yaml");
    REQUIRE_FALSE(result.ok());
    REQUIRE(result.errors.size() == 1);
    CHECK(result.errors[0].line == 3);
    CHECK(result.errors[0].column == 3);
    CHECK(result.errors[0].to_string() == "a.yaml:3:3: unknown key 'conect_timeout' in upstream");
}

TEST_CASE("wrong types are errors naming the setting and the position") {
    auto result = load_config_text(
        "connect_ports: [443, https]\nlimits:\n  max_header_bytes: lots\nupstream: 5\n"
        "client:\n  header_timeout: 30\nallowed_clients: [not-a-network]\n",
        "b.yaml");
    REQUIRE_FALSE(result.ok());
    REQUIRE(result.errors.size() == 5);
    CHECK(result.errors[0].to_string().rfind("b.yaml:1:22: connect_ports entry must be", 0) == 0);
    CHECK(result.errors[1].line == 3);
    CHECK(result.errors[1].message.find("limits.max_header_bytes") != std::string::npos);
    CHECK(result.errors[2].message == "upstream must be a mapping");
    CHECK(result.errors[3].message.find("units") == std::string::npos);
    CHECK(result.errors[3].message.find("client.header_timeout") != std::string::npos);
    CHECK(result.errors[4].line == 7);
}

TEST_CASE("a YAML syntax error reports its position") {
    auto result = load_config_text("listeners:\n  - address: [1\n", "c.yaml");
    REQUIRE_FALSE(result.ok());
    CHECK(result.errors[0].file == "c.yaml");
    CHECK(result.errors[0].line >= 2);
}

TEST_CASE("a missing file is a clear error") {
    auto result = load_config_file("/nonexistent/minewall.yaml");
    REQUIRE_FALSE(result.ok());
    CHECK(result.errors[0].to_string() ==
          "/nonexistent/minewall.yaml: cannot read the file: No such file or directory");
    // A directory opens like a file on Linux and reads as nothing: it must not pass for an
    // empty (valid) configuration.
    auto dir = load_config_file(std::filesystem::temp_directory_path().string());
    REQUIRE(dir.errors.size() == 1);
    CHECK(dir.errors[0].to_string().ends_with(": cannot read the file: it is a directory"));
}

TEST_CASE("durations need a unit") {
    CHECK(parse_duration("250ms") == Millis{250});
    CHECK(parse_duration("3s") == Millis{3000});
    CHECK(parse_duration("2m") == Millis{120'000});
    CHECK(parse_duration("1h") == Millis{3'600'000});
    CHECK_FALSE(parse_duration("30"));
    CHECK_FALSE(parse_duration("s"));
    CHECK_FALSE(parse_duration("-1s"));
    CHECK_FALSE(parse_duration("1 s"));
}

TEST_CASE("listen specs accept v4, bracketed v6 and a bare port") {
    auto a = parse_listen_spec("0.0.0.0:8080");
    REQUIRE(a);
    CHECK(a->address == "0.0.0.0");
    CHECK(a->port == 8080);
    auto b = parse_listen_spec("[::1]:3129");
    REQUIRE(b);
    CHECK(b->address == "::1");
    auto c = parse_listen_spec(":3130");
    REQUIRE(c);
    CHECK(c->address == "127.0.0.1");
    CHECK_FALSE(parse_listen_spec("localhost:80"));
    CHECK_FALSE(parse_listen_spec("1.2.3.4:0"));
    CHECK_FALSE(parse_listen_spec("1.2.3.4:65536"));
    CHECK_FALSE(parse_listen_spec("::1:80"));
    CHECK_FALSE(parse_listen_spec("1.2.3.4"));
}

TEST_CASE("an operator CA and pinned-app relief are read from tls") {
    auto result = load_config_text(
        "tls:\n  ca_cert_file: /etc/minewall/ca.pem\n  ca_key_file: /etc/minewall/ca.key\n"
        "  ca_chain_file: /etc/minewall/chain.pem\n"
        "  pinned_relief:\n    enabled: true\n    failures: 5\n    window: 2m\n"
        "    splice_ttl: 30m\n",
        "tls.yaml");
    REQUIRE(result.ok());
    const auto& tls = result.config->tls;
    CHECK(tls.ca_cert_file == "/etc/minewall/ca.pem");
    CHECK(tls.ca_key_file == "/etc/minewall/ca.key");
    CHECK(tls.ca_chain_file == "/etc/minewall/chain.pem");
    CHECK(tls.pinned_relief.enabled);
    CHECK(tls.pinned_relief.failures == 5);
    CHECK(tls.pinned_relief.window == Millis{120'000});
    CHECK(tls.pinned_relief.splice_ttl == Millis{1'800'000});
}

TEST_CASE("pinned-app relief is off by default") {
    auto c = embedded_default_config();
    CHECK_FALSE(c.tls.pinned_relief.enabled);
    CHECK(c.tls.pinned_relief.failures == 3);
}

TEST_CASE("an operator CA needs both files and excludes ca_dir") {
    auto only_cert = load_config_text("tls:\n  ca_cert_file: /x/ca.pem\n", "c.yaml");
    REQUIRE_FALSE(only_cert.ok());
    CHECK(only_cert.errors[0].message.find("must be set together") != std::string::npos);
    auto both = load_config_text(
        "tls:\n  ca_dir: /x\n  ca_cert_file: /x/ca.pem\n  ca_key_file: /x/ca.key\n", "d.yaml");
    REQUIRE_FALSE(both.ok());
    CHECK(both.errors[0].message.find("exclude each other") != std::string::npos);
    auto lone_chain = load_config_text("tls:\n  ca_chain_file: /x/chain.pem\n", "e.yaml");
    REQUIRE_FALSE(lone_chain.ok());
    CHECK(lone_chain.errors[0].line == 2);
    auto zero = load_config_text("tls:\n  pinned_relief:\n    failures: 0\n", "f.yaml");
    REQUIRE_FALSE(zero.ok());
    CHECK(zero.errors[0].to_string().rfind("f.yaml:3:15: tls.pinned_relief.failures", 0) == 0);
}

TEST_CASE("failed proxy logins have a lockout guard by default and it can be tuned") {
    auto c = embedded_default_config();
    CHECK(c.identity.failed_logins.limit == 10);
    CHECK(c.identity.failed_logins.lockout == Millis{300'000});
    auto tuned = load_config_text(
        "identity:\n  failed_logins:\n    limit: 5\n    window: 30s\n    lockout: 15m\n", "g.yaml");
    REQUIRE(tuned.ok());
    CHECK(tuned.config->identity.failed_logins.limit == 5);
    CHECK(tuned.config->identity.failed_logins.window == Millis{30'000});
    CHECK(tuned.config->identity.failed_logins.lockout == Millis{900'000});
}
