#pragma once
// Gathers every counter the running proxy keeps into a StatisticsReport.
#include "proxy/statistics_report.hpp"

namespace minewall::proxy {

class ProxyState;

StatisticsReport collect_statistics(ProxyState& state);

}  // namespace minewall::proxy
