#pragma once
// Gathers every counter the running proxy and its web log keep into a StatisticsReport.
#include "proxy/ops/statistics_report.hpp"

namespace minewall::weblog {
class WebLog;
}

namespace minewall::proxy {

class ProxyState;

StatisticsReport collect_statistics(ProxyState& state);

// The web log's counters (records emitted, written, spilled, dropped; feeds unreachable).
void add_weblog_statistics(const weblog::WebLog& log, StatisticsReport& report);

}  // namespace minewall::proxy
