#include "proxy/ops/statistics_report.hpp"

#include <doctest/doctest.h>

using minewall::proxy::StatisticsReport;

TEST_CASE("a statistics report is one line of key=value pairs in the order added") {
    StatisticsReport report;
    CHECK(report.line().empty());
    report.add("http_requests", 12);
    report.add("leaf_cache_hits", 0);
    report.add("weblog_emitted", 18446744073709551615ULL);
    CHECK(report.line() ==
          "http_requests=12 leaf_cache_hits=0 weblog_emitted=18446744073709551615");
    std::uint64_t value = 99;
    CHECK(report.get("http_requests", value));
    CHECK(value == 12);
    CHECK_FALSE(report.get("nothing_like_it", value));
    CHECK(value == 12);
}
