#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <iostream>
#include <mutex>
#include <string>
#include <vector>

#include "tests/support/test_skip.hpp"

// Every skipped test is reported with its reason, one "skipped: NAME: REASON" line each, and
// counted: doctest counts skip() decorators itself, and a closing "[minewall] run-time skips: N"
// line counts skip_test() calls, which doctest has counted as passes; scripts/test.sh moves
// those from passed to skipped. A skip that went unreported would hide a check that never ran.
namespace {

struct SkipLedger {
    std::mutex mutex;
    std::string current_test;
    std::string pending_reason;
    std::vector<std::string> lines;
    std::size_t run_time_skips = 0;
};

SkipLedger& ledger() {
    static SkipLedger instance;
    return instance;
}

class SkipListener : public doctest::IReporter {
  public:
    explicit SkipListener(const doctest::ContextOptions&) {}

    void report_query(const doctest::QueryData&) override {}
    void test_run_start() override {}
    void test_run_end(const doctest::TestRunStats&) override {
        std::lock_guard lock(ledger().mutex);
        for (const auto& line : ledger().lines)
            std::cout << line << '\n';
        std::cout << "[minewall] run-time skips: " << ledger().run_time_skips << std::endl;
    }
    void test_case_start(const doctest::TestCaseData& data) override {
        std::lock_guard lock(ledger().mutex);
        ledger().current_test = data.m_name;
        ledger().pending_reason.clear();
    }
    void test_case_reenter(const doctest::TestCaseData&) override {}
    void test_case_end(const doctest::CurrentTestCaseStats&) override {
        std::lock_guard lock(ledger().mutex);
        if (!ledger().pending_reason.empty()) {
            ++ledger().run_time_skips;
            ledger().lines.push_back("skipped: " + ledger().current_test + ": " +
                                     ledger().pending_reason);
        }
        ledger().pending_reason.clear();
    }
    void test_case_exception(const doctest::TestCaseException&) override {}
    void subcase_start(const doctest::SubcaseSignature&) override {}
    void subcase_end() override {}
    void log_assert(const doctest::AssertData&) override {}
    void log_message(const doctest::MessageData&) override {}
    void test_case_skipped(const doctest::TestCaseData& data) override {
        // Also called for tests left out by a filter (-tc): only the skip() decorator counts.
        if (!data.m_skip) return;
        std::lock_guard lock(ledger().mutex);
        ledger().lines.push_back(std::string("skipped: ") + data.m_name + ": " +
                                 (data.m_description ? data.m_description : "no reason given"));
    }
};

REGISTER_LISTENER("minewall-skips", 1, SkipListener);

}  // namespace

namespace minewall::testing {

void skip_test(const std::string& reason) {
    std::lock_guard lock(ledger().mutex);
    ledger().pending_reason = reason.empty() ? "no reason given" : reason;
}

}  // namespace minewall::testing
