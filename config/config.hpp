#pragma once
// Every setting of minewall as plain data. Defaults here are the defaults of the embedded
// configuration (config/minewall.yaml documents the same values); tests build these directly.
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "config/cidr.hpp"

namespace minewall::config {

using Millis = std::chrono::milliseconds;

enum class ListenerMode { Explicit };

struct ListenerConfig {
    std::string address = "127.0.0.1";
    std::uint16_t port = 3128;
    ListenerMode mode = ListenerMode::Explicit;
};

struct UpstreamConfig {
    Millis connect_timeout{10'000};
    Millis idle_timeout{60'000};
    Millis pool_idle_timeout{30'000};
    std::size_t pool_max_idle_per_host = 64;
    Millis dns_cache_ttl{30'000};  // getaddrinfo answers are reused this long
};

struct ClientConfig {
    Millis header_timeout{30'000};
    Millis keepalive_timeout{60'000};
    Millis body_idle_timeout{60'000};
};

struct TunnelConfig {
    Millis idle_timeout{300'000};
};

struct LimitsConfig {
    std::size_t max_connections = 10'000;
    std::size_t max_header_bytes = 65'536;
};

struct ShutdownConfig {
    Millis drain_timeout{10'000};
};

// One NSS web-log feed: a format (preset or custom) and a destination.
struct WeblogFeedConfig {
    std::string name;                          // empty: the preset's name
    std::string preset = "splunk";             // used when format is empty
    std::string format;                        // a custom NSS feed output format
    std::string destination = "logs/web.log";  // file (relative: under state_dir), tcp://,
                                               // tls://, http:// or https:// URL
    std::string token;                         // HTTP(S): Splunk HEC token
    std::string escape_chars;
    std::string time_zone = "GMT";
    std::uint64_t rotate_max_bytes = 0;
    bool rotate_daily = false;
    unsigned keep_files = 7;
    bool octet_counting = false;  // stream framing: RFC 6587 instead of newlines
    std::string ca_file;          // TLS destinations: trust bundle (empty: system store)
    bool verify = true;           // TLS destinations: verify the receiver's certificate
    int line = 0;                 // where it was configured, for error messages
};

struct WeblogConfig {
    std::vector<WeblogFeedConfig> feeds{WeblogFeedConfig{}};
    std::size_t queue_records = 65'536;
};

// Brute-force guard for proxy authentication: `limit` failed logins from one client address
// within `window` refuse that address (429) for `lockout`, without checking passwords.
struct FailedLoginConfig {
    unsigned limit = 10;
    Millis window{60'000};
    Millis lockout{300'000};
};

struct IdentityConfig {
    std::string users_file;  // proxy authentication (htpasswd-style); empty: none
    std::string realm = "minewall";
    std::string map_file;                  // client IP -> user/department/device CSV; empty: none
    std::vector<Cidr> trusted_forwarders;  // whose X-Forwarded-For names the real client
    FailedLoginConfig failed_logins;
};

// Pinned apps (certificate pinning, own trust stores) reject every minted leaf: after
// `failures` rejections of one host within `window`, that host is spliced for `splice_ttl`.
struct PinnedReliefConfig {
    bool enabled = false;  // off: a rejected leaf is only logged and counted
    unsigned failures = 3;
    Millis window{300'000};
    Millis splice_ttl{3'600'000};
};

struct TlsConfig {
    bool intercept = true;     // bump TLS in CONNECT tunnels (else splice everything)
    std::string ca_dir;        // empty: <state_dir>/ca, created on first start
    std::string ca_cert_file;  // an operator CA instead of ca_dir (with ca_key_file)
    std::string ca_key_file;
    std::string ca_chain_file;     // intermediates sent after each leaf (PEM, optional)
    std::string upstream_ca_file;  // extra trust bundle for origins (beside the system store)
    std::vector<std::string> splice_domains;     // never decrypted (domain and subdomains)
    bool splice_without_sni = false;             // ClientHello without SNI: splice, not bump
    std::vector<std::string> verify_exceptions;  // origins whose certificates are not checked
    std::size_t leaf_cache_size = 10'000;
    PinnedReliefConfig pinned_relief;
};

struct PolicyConfig {
    std::string file;               // empty: the embedded default cryptomining policy
    Millis check_interval{30'000};  // how often changed files and due URL feeds are checked
};

struct Config {
    std::vector<ListenerConfig> listeners{ListenerConfig{}};
    std::vector<Cidr> allowed_clients{*Cidr::parse("127.0.0.0/8"), *Cidr::parse("::1/128")};
    std::vector<std::uint16_t> connect_ports{443};
    std::string state_dir;  // empty: default_state_dir()
    std::string log_level = "info";
    unsigned worker_threads = 0;  // 0: one per core
    UpstreamConfig upstream;
    ClientConfig client;
    TunnelConfig tunnel;
    LimitsConfig limits;
    ShutdownConfig shutdown;
    WeblogConfig weblog;
    PolicyConfig policy;
    IdentityConfig identity;
    TlsConfig tls;
};

// ~/.minewall, or /var/lib/minewall when running as root.
std::string default_state_dir();

// The state directory a config resolves to.
inline std::string effective_state_dir(const Config& c) {
    return c.state_dir.empty() ? default_state_dir() : c.state_dir;
}

}  // namespace minewall::config
