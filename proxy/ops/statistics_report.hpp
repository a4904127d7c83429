#pragma once
// The operator's view of minewall's counters (proxy/ops/counter_table.hpp declares them): one
// line of key=value pairs in the operational log (on SIGUSR2 and at shutdown), easy to grep
// and to chart, and the same values in the Prometheus text format.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "proxy/ops/counter_table.hpp"

namespace minewall::proxy {

class StatisticsReport {
  public:
    void set(Counter counter, std::uint64_t value);
    // The value set for a counter; nullopt when it was not reported (e.g. leaf-cache counters
    // without TLS interception).
    std::optional<std::uint64_t> get(Counter counter) const;
    // Looks a value up by its key; false when the key is unknown or was not reported.
    bool get(std::string_view key, std::uint64_t& value) const;
    // "key=value key=value ..." for every reported counter, in the table's order.
    std::string line() const;
    // The Prometheus text exposition (version 0.0.4): HELP and TYPE from the table, names
    // minewall_<key>, with _total for counters.
    std::string prometheus_text() const;

  private:
    std::array<std::optional<std::uint64_t>, counter_table.size()> values_{};
};

}  // namespace minewall::proxy
