#include "proxy/ops/statistics_report.hpp"

#include <doctest/doctest.h>

#include <set>
#include <sstream>
#include <string>

using minewall::proxy::Counter;
using minewall::proxy::counter_table;
using minewall::proxy::CounterKind;
using minewall::proxy::StatisticsReport;

TEST_CASE("a statistics report is one line of key=value pairs in the table's order") {
    StatisticsReport report;
    CHECK(report.line().empty());
    report.set(Counter::weblog_emitted, 18446744073709551615ULL);
    report.set(Counter::http_requests, 12);
    report.set(Counter::leaf_cache_hits, 0);
    CHECK(report.line() ==
          "http_requests=12 leaf_cache_hits=0 weblog_emitted=18446744073709551615");
    std::uint64_t value = 99;
    CHECK(report.get("http_requests", value));
    CHECK(value == 12);
    CHECK_FALSE(report.get("nothing_like_it", value));
    CHECK_FALSE(report.get("leaf_mints", value));  // in the table, not reported
    CHECK(value == 12);
    CHECK(report.get(Counter::leaf_cache_hits) == 0u);
    CHECK_FALSE(report.get(Counter::leaf_mints).has_value());
}

TEST_CASE("every counter is declared once, with a key Prometheus accepts and a help text") {
    std::set<std::string_view> keys;
    for (const auto& spec : counter_table) {
        CHECK_MESSAGE(keys.insert(spec.key).second, "declared twice: " << spec.key);
        CHECK_FALSE(spec.help.empty());
        CHECK(spec.help.find('\n') == std::string_view::npos);
        for (char c : spec.key)
            CHECK_MESSAGE(((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'), spec.key);
        // The exposition appends _total to counters: a key must not end in it already.
        CHECK(!(spec.key.size() >= 6 && spec.key.substr(spec.key.size() - 6) == "_total"));
    }
    CHECK(minewall::proxy::spec_of(Counter::connections_active).kind == CounterKind::gauge);
    CHECK(minewall::proxy::spec_of(Counter::weblog_emitted).key == "weblog_emitted");
}

TEST_CASE("the Prometheus text has HELP, TYPE and one sample per reported counter") {
    StatisticsReport report;
    report.set(Counter::connections_active, 3);
    report.set(Counter::http_requests, 12);
    CHECK(report.prometheus_text() ==
          "# HELP minewall_connections_active Client connections open now\n"
          "# TYPE minewall_connections_active gauge\n"
          "minewall_connections_active 3\n"
          "# HELP minewall_http_requests_total HTTP requests received (explicit and inside "
          "bumped TLS)\n"
          "# TYPE minewall_http_requests_total counter\n"
          "minewall_http_requests_total 12\n");
}
