#pragma once
// Starts the real minewall binary for a test: writes the given YAML config, listens on a
// free loopback port, waits until it is ready, and stops it with SIGTERM.
// Every test that starts minewall also checks how it ended: when the MinewallProcess goes out
// of scope, the test fails if minewall exited with another code than expected (0 unless
// expect_exit_code says otherwise), did not stop within 30 s of SIGTERM, or wrote a sanitizer
// report. A regression that only shows at shutdown (a leak, a use-after-free) fails the test.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "tests/support/child_process.hpp"

namespace minewall::testing {

class MinewallProcess {
  public:
    // config_yaml: the configuration file's text (listeners are replaced by --listen).
    // state_dir: empty for a fresh one under the process's temp folder.
    explicit MinewallProcess(const std::string& config_yaml,
                             std::vector<std::string> extra_args = {}, std::string state_dir = {});
    ~MinewallProcess();

    std::uint16_t port() const { return port_; }
    std::string proxy_url() const { return "http://127.0.0.1:" + std::to_string(port_); }
    const std::string& config_path() const { return config_path_; }
    const TempDir& dir() const { return dir_; }
    // The CA minewall created in its state directory (clients trust it to accept bumped TLS).
    std::string ca_file() const { return state_dir_ + "/ca/ca.pem"; }
    ChildProcess& process() { return *process_; }
    std::string log() const { return process_->stderr_text() + process_->stdout_text(); }

    // SIGTERM and wait; returns the exit code (or -1 when it did not stop in time).
    int stop();
    // The exit code the end-of-test check expects (for tests that make minewall fail).
    void expect_exit_code(int code) { expected_exit_code_ = code; }

  private:
    TempDir dir_;
    std::string config_path_;
    std::string state_dir_;
    std::unique_ptr<ChildProcess> process_;
    std::uint16_t port_ = 0;
    int expected_exit_code_ = 0;
};

// Runs a minewall subcommand to completion (args without the binary); the test fails when its
// output holds a sanitizer report. The exit code is the caller's to check.
CommandResult run_minewall(std::vector<std::string> args,
                           std::chrono::milliseconds timeout = std::chrono::seconds(60),
                           std::string stdin_file = "");

// Fails the current test (without throwing) when text holds a sanitizer report; `who` names
// the process in the message.
void check_no_sanitizer_report(const std::string& who, const std::string& text);

// The path of the minewall binary under test: the one built with the tests, or
// $MINEWALL_TEST_BINARY when set.
std::string minewall_binary();

// The value of key in the last "statistics (...)" line of a proxy's log, or -1.
long long statistic(const std::string& log, const std::string& key);

// curl through a proxy: common flags plus args. -sS, a hard time limit, no ~/.curlrc.
CommandResult curl(const std::vector<std::string>& args);

}  // namespace minewall::testing
