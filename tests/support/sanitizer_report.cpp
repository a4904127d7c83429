#include "tests/support/sanitizer_report.hpp"

#include <algorithm>
#include <array>
#include <string_view>

namespace minewall::testing {

std::optional<std::string> sanitizer_report(const std::string& output) {
    // "runtime error:" is how UBSan starts each finding; the others head ASan/LSan/TSan reports.
    static constexpr std::array<std::string_view, 6> markers = {
        "ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "WARNING: ThreadSanitizer",
        "ERROR: ThreadSanitizer",  "runtime error:",       "SUMMARY: UndefinedBehaviorSanitizer"};
    auto first = std::string::npos;
    for (auto marker : markers)
        first = std::min(first, output.find(marker));
    if (first == std::string::npos) return std::nullopt;
    auto line_start = output.rfind('\n', first);
    line_start = line_start == std::string::npos ? 0 : line_start + 1;
    return output.substr(line_start, 2048);
}

}  // namespace minewall::testing
