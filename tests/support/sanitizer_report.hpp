#pragma once
// Finding a sanitizer's report in a child's output. Sanitizer builds of minewall write their
// findings to stderr and may still exit 0 (a leak found by a recoverable check, a report printed
// while shutting down), so the harness reads the text instead of trusting the exit code alone.
#include <optional>
#include <string>

namespace minewall::testing {

// The report's first lines (up to ~2 KiB from its first marker), or nullopt when the text holds
// no AddressSanitizer, LeakSanitizer, ThreadSanitizer or UndefinedBehaviorSanitizer report.
std::optional<std::string> sanitizer_report(const std::string& output);

}  // namespace minewall::testing
