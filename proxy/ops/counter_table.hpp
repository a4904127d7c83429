#pragma once
// Every counter minewall reports, declared once: its key, whether it only grows (counter) or
// goes up and down (gauge), its help text and its label names. The SIGUSR2 / shutdown
// statistics line and the Prometheus exposition are both generated from this table, so a
// counter cannot be in one and missing from the other, or named differently.
#include <array>
#include <cstddef>
#include <string_view>

namespace minewall::proxy {

enum class CounterKind { counter, gauge };

// X(key, kind, help): in the order the statistics line lists them.
#define MINEWALL_COUNTERS(X)                                                                      \
    X(connections_active, gauge, "Client connections open now")                                   \
    X(connections_accepted, counter, "Client connections accepted")                               \
    X(connections_refused_acl, counter, "Client connections refused by the client allow-list")    \
    X(connections_refused_limit, counter, "Client connections refused at limits.max_connections") \
    X(http_requests, counter, "HTTP requests received (explicit and inside bumped TLS)")          \
    X(connect_requests, counter, "CONNECT requests received")                                     \
    X(connect_refused_port, counter, "CONNECT requests refused: port not allowed")                \
    X(bad_requests, counter, "Malformed requests answered 400")                                   \
    X(loops_refused, counter, "Requests refused because they came back to minewall")              \
    X(upstream_opened, counter, "Origin connections opened")                                      \
    X(upstream_reused, counter, "Requests sent on a pooled origin connection")                    \
    X(upstream_dns_failures, counter, "Origin names that did not resolve")                        \
    X(upstream_connect_failures, counter, "Origin connections that could not be opened")          \
    X(upstream_timeouts, counter, "Origin connects or reads that timed out")                      \
    X(login_failures, counter, "Proxy logins refused: wrong or missing credentials")              \
    X(logins_refused_lockout, counter, "Proxy logins refused while the address was locked out")   \
    X(heap_releases, counter, "Times free heap memory was handed back to the OS")                 \
    X(heap_released_mib, counter, "Resident size those releases dropped, MiB")                    \
    X(login_checks_accepted, counter, "Proxy credentials checked and accepted")                   \
    X(login_checks_rejected, counter, "Proxy credentials checked and rejected")                   \
    X(login_hash_computations, counter, "Password hashes computed for proxy logins")              \
    X(login_cache_hits, counter, "Proxy logins answered from the verification cache")             \
    X(leaf_cache_entries, gauge, "Leaf certificates in the cache")                                \
    X(leaf_cache_hits, counter, "Leaf certificates found in the cache")                           \
    X(leaf_cache_coalesced, counter, "Leaf requests that waited for a mint already under way")    \
    X(leaf_cache_misses, counter, "Leaf certificates not in the cache")                           \
    X(leaf_cache_evictions, counter, "Leaf certificates evicted (cache full)")                    \
    X(leaf_cache_expirations, counter, "Leaf certificates dropped because they expired")          \
    X(leaf_names_rejected, counter, "Host names refused for a leaf certificate")                  \
    X(leaf_mints, counter, "Leaf certificates minted")                                            \
    X(leaf_mint_failures, counter, "Leaf certificates that could not be minted")                  \
    X(leaf_mint_us_avg, gauge, "Mean time to mint a leaf certificate, microseconds")              \
    X(pinned_rejections, counter, "Client TLS handshakes that rejected minewall's certificate")   \
    X(pinned_hosts_relieved, counter, "Hosts spliced by pinned-app relief")                       \
    X(pinned_connections_spliced, counter, "Connections spliced by pinned-app relief")            \
    X(weblog_emitted, counter, "Web-log records emitted by the sessions")                         \
    X(weblog_dropped, counter, "Web-log records dropped: the queue was full")                     \
    X(weblog_queued, gauge, "Web-log records waiting for the writer thread")                      \
    X(weblog_feeds, gauge, "Web-log feeds configured")                                            \
    X(weblog_feeds_unreachable, gauge, "Web-log feeds not connected now")                         \
    X(weblog_written, counter, "Web-log records written by the feeds")                            \
    X(weblog_feed_queued, gauge, "Web-log records waiting in the feeds")                          \
    X(weblog_spilled, counter, "Web-log records spilled to disk while a feed was down")           \
    X(weblog_feed_dropped, counter, "Web-log records a feed dropped")

enum class Counter : std::size_t {
#define MINEWALL_COUNTER_ENUM(key, kind, help) key,
    MINEWALL_COUNTERS(MINEWALL_COUNTER_ENUM)
#undef MINEWALL_COUNTER_ENUM
};

struct CounterSpec {
    std::string_view key;
    CounterKind kind;
    std::string_view help;
    std::string_view labels;  // label names, comma-separated; none yet
};

inline constexpr std::array counter_table = {
#define MINEWALL_COUNTER_SPEC(key, kind, help) CounterSpec{#key, CounterKind::kind, help, ""},
    MINEWALL_COUNTERS(MINEWALL_COUNTER_SPEC)
#undef MINEWALL_COUNTER_SPEC
};

constexpr const CounterSpec& spec_of(Counter c) {
    return counter_table[static_cast<std::size_t>(c)];
}

}  // namespace minewall::proxy
