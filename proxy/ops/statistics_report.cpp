#include "proxy/ops/statistics_report.hpp"

namespace minewall::proxy {

void StatisticsReport::set(Counter counter, std::uint64_t value) {
    values_[static_cast<std::size_t>(counter)] = value;
}

std::optional<std::uint64_t> StatisticsReport::get(Counter counter) const {
    return values_[static_cast<std::size_t>(counter)];
}

bool StatisticsReport::get(std::string_view key, std::uint64_t& value) const {
    for (std::size_t i = 0; i < counter_table.size(); ++i) {
        if (counter_table[i].key == key && values_[i]) {
            value = *values_[i];
            return true;
        }
    }
    return false;
}

std::string StatisticsReport::line() const {
    std::string out;
    for (std::size_t i = 0; i < counter_table.size(); ++i) {
        if (!values_[i]) continue;
        if (!out.empty()) out += ' ';
        out += counter_table[i].key;
        out += '=';
        out += std::to_string(*values_[i]);
    }
    return out;
}

std::string StatisticsReport::prometheus_text() const {
    std::string out;
    for (std::size_t i = 0; i < counter_table.size(); ++i) {
        if (!values_[i]) continue;
        const auto& spec = counter_table[i];
        std::string name = "minewall_" + std::string(spec.key);
        if (spec.kind == CounterKind::counter) name += "_total";
        out += "# HELP " + name + " " + std::string(spec.help) + "\n";
        out += "# TYPE " + name + (spec.kind == CounterKind::counter ? " counter\n" : " gauge\n");
        out += name + " " + std::to_string(*values_[i]) + "\n";
    }
    return out;
}

}  // namespace minewall::proxy
