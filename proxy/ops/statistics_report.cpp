#include "proxy/ops/statistics_report.hpp"

namespace minewall::proxy {

void StatisticsReport::add(std::string_view key, std::uint64_t value) {
    values_.emplace_back(std::string(key), value);
}

bool StatisticsReport::get(std::string_view key, std::uint64_t& value) const {
    for (const auto& [k, v] : values_) {
        if (k == key) {
            value = v;
            return true;
        }
    }
    return false;
}

std::string StatisticsReport::line() const {
    std::string out;
    for (const auto& [key, value] : values_) {
        if (!out.empty()) out += ' ';
        out += key;
        out += '=';
        out += std::to_string(value);
    }
    return out;
}

}  // namespace minewall::proxy
