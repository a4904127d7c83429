#pragma once
// Skipping a test at run time with a reason that the suite's summary reports and counts.
// A test that cannot check its behaviour here (a sanitizer build, no root) calls
// skip_test("why") and returns; the test then counts as skipped, not passed. Tests skipped by
// doctest's skip() decorator give their reason with doctest::description("why").
#include <string>

namespace minewall::testing {

void skip_test(const std::string& reason);

}  // namespace minewall::testing
