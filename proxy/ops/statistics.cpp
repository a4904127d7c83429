#include "proxy/ops/statistics.hpp"

#include "proxy/ops/proxy_state.hpp"
#include "proxy/tunnel/tls_interception.hpp"
#include "weblog/web_log.hpp"

namespace minewall::proxy {

StatisticsReport collect_statistics(ProxyState& state) {
    StatisticsReport report;
    const auto& c = state.counters();
    report.set(Counter::connections_active, state.active_connections.load());
    report.set(Counter::connections_accepted, c.connections_accepted.load());
    report.set(Counter::connections_refused_acl, c.connections_refused_client_acl.load());
    report.set(Counter::connections_refused_limit, c.connections_refused_limit.load());
    report.set(Counter::http_requests, c.http_requests.load());
    report.set(Counter::connect_requests, c.connect_requests.load());
    report.set(Counter::connect_refused_port, c.connect_refused_port.load());
    report.set(Counter::bad_requests, c.bad_requests.load());
    report.set(Counter::loops_refused, c.loops_refused.load());
    report.set(Counter::upstream_opened, c.upstream_opened.load());
    report.set(Counter::upstream_reused, c.upstream_reused.load());
    report.set(Counter::upstream_dns_failures, c.upstream_dns_failures.load());
    report.set(Counter::upstream_connect_failures, c.upstream_connect_failures.load());
    report.set(Counter::upstream_timeouts, c.upstream_timeouts.load());
    report.set(Counter::login_failures, c.failed_logins.load());
    report.set(Counter::logins_refused_lockout, c.logins_refused_lockout.load());
    report.set(Counter::heap_releases, c.heap_releases.load());
    report.set(Counter::heap_released_mib, c.heap_released_bytes.load() >> 20);
    if (auto identity = state.identity(); identity && identity->credentials) {
        auto logins = identity->credentials->counters();
        report.set(Counter::login_checks_accepted, logins.accepted);
        report.set(Counter::login_checks_rejected, logins.rejected);
        report.set(Counter::login_hash_computations, logins.hash_computations);
        report.set(Counter::login_cache_hits, logins.cache_hits);
    }
    if (auto* tls = state.tls()) {
        auto leaves = tls->cache().counters();
        report.set(Counter::leaf_cache_entries, leaves.entries);
        report.set(Counter::leaf_cache_hits, leaves.hits);
        report.set(Counter::leaf_cache_coalesced, leaves.coalesced);
        report.set(Counter::leaf_cache_misses, leaves.misses);
        report.set(Counter::leaf_cache_evictions, leaves.evictions);
        report.set(Counter::leaf_cache_expirations, leaves.expirations);
        report.set(Counter::leaf_names_rejected, leaves.rejected);
        report.set(Counter::leaf_mints, leaves.mints);
        report.set(Counter::leaf_mint_failures, leaves.mint_failures);
        // The mean, in microseconds: the total alone says little without the count.
        report.set(Counter::leaf_mint_us_avg,
                   leaves.mints ? leaves.mint_ns_total / leaves.mints / 1000 : 0);
        auto relief = tls->pinned_relief().counters();
        report.set(Counter::pinned_rejections, relief.rejections);
        report.set(Counter::pinned_hosts_relieved, relief.relieved);
        report.set(Counter::pinned_connections_spliced, relief.spliced);
    }
    return report;
}

void add_weblog_statistics(const weblog::WebLog& log, StatisticsReport& report) {
    auto stats = log.stats();
    report.set(Counter::weblog_emitted, stats.emitted);
    report.set(Counter::weblog_dropped, stats.dropped);
    report.set(Counter::weblog_queued, stats.queued);
    // Summed over the feeds; a feed's own trouble is in its warnings.
    std::uint64_t written = 0, waiting = 0, spilled = 0, lost = 0, down = 0;
    for (const auto& feed : stats.feeds) {
        written += feed.sink.written;
        waiting += feed.sink.queued;
        spilled += feed.sink.spilled;
        lost += feed.sink.dropped;
        down += feed.sink.connected ? 0 : 1;
    }
    report.set(Counter::weblog_feeds, stats.feeds.size());
    report.set(Counter::weblog_feeds_unreachable, down);
    report.set(Counter::weblog_written, written);
    report.set(Counter::weblog_feed_queued, waiting);
    report.set(Counter::weblog_spilled, spilled);
    report.set(Counter::weblog_feed_dropped, lost);
}

}  // namespace minewall::proxy
