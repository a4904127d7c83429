#pragma once
// The operator's view of minewall's counters: connections, requests, upstream reuse, the leaf
// certificate cache, pinned-app relief, proxy logins and the web log, as one line of key=value
// pairs in the operational log (on SIGUSR2 and at shutdown), easy to grep and to chart.
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace minewall::proxy {

class StatisticsReport {
  public:
    void add(std::string_view key, std::uint64_t value);
    // Looks a value up by key; false when it was never added.
    bool get(std::string_view key, std::uint64_t& value) const;
    // "key=value key=value ..." in the order the values were added.
    std::string line() const;

  private:
    std::vector<std::pair<std::string, std::uint64_t>> values_;
};

}  // namespace minewall::proxy
