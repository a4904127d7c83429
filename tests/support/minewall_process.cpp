#include "tests/support/minewall_process.hpp"

#include <doctest/doctest.h>

#include <csignal>
#include <cstdlib>
#include <regex>
#include <stdexcept>

#include "tests/support/sanitizer_report.hpp"

namespace minewall::testing {

std::string minewall_binary() {
    // scripts/test.sh also runs the integration suite against the release binary (optimised,
    // linked with tcmalloc): the one scripts/run.sh and the Docker image ship.
    if (const char* other = std::getenv("MINEWALL_TEST_BINARY"); other && *other) return other;
    return MINEWALL_BINARY;
}

long long statistic(const std::string& log, const std::string& key) {
    auto line_start = log.rfind("statistics (");
    if (line_start == std::string::npos) return -1;
    auto line = log.substr(line_start, log.find('\n', line_start) - line_start);
    auto at = (" " + line + " ").find(" " + key + "=");
    if (at == std::string::npos) return -1;
    return std::stoll(line.substr(at + key.size() + 1));
}

MinewallProcess::MinewallProcess(const std::string& config_yaml,
                                 std::vector<std::string> extra_args, std::string state_dir) {
    config_path_ = dir_.write("minewall.yaml", config_yaml);
    state_dir_ = state_dir.empty() ? dir_.file("state") : state_dir;
    std::vector<std::string> argv = {minewall_binary(), "run",         "--config",    config_path_,
                                     "--listen",        "127.0.0.1:0", "--state-dir", state_dir_};
    argv.insert(argv.end(), extra_args.begin(), extra_args.end());
    process_ = std::make_unique<ChildProcess>(argv);
    // Generous: a loaded machine (a sanitizer build, two suites at once) starts slowly.
    auto text = process_->wait_for_output("ready (instance", std::chrono::seconds(60));
    if (!text) {
        throw std::runtime_error("minewall did not start: " + log());
    }
    std::smatch match;
    static const std::regex listening(R"(listening on 127\.0\.0\.1:(\d+))");
    if (!std::regex_search(*text, match, listening))
        throw std::runtime_error("minewall did not report its port: " + *text);
    port_ = static_cast<std::uint16_t>(std::stoi(match[1]));
}

MinewallProcess::~MinewallProcess() {
    // FAIL_CHECK records a failure without throwing, so this is safe while unwinding too.
    int code = process_->running() ? stop() : process_->wait(std::chrono::seconds(0)).value_or(-1);
    if (code == -1) {
        FAIL_CHECK("minewall did not exit within 30 s of SIGTERM; log:\n" << log());
        process_->signal(SIGKILL);
        process_->wait(std::chrono::seconds(10));
    } else if (code != expected_exit_code_) {
        FAIL_CHECK("minewall exited with " << code << " (expected " << expected_exit_code_
                                           << "); log:\n"
                                           << log());
    }
    check_no_sanitizer_report("minewall", log());
}

int MinewallProcess::stop() {
    process_->signal(SIGTERM);
    return process_->wait(std::chrono::seconds(30)).value_or(-1);
}

void check_no_sanitizer_report(const std::string& who, const std::string& text) {
    if (auto report = sanitizer_report(text))
        FAIL_CHECK(who << " wrote a sanitizer report:\n" << *report);
}

CommandResult run_minewall(std::vector<std::string> args, std::chrono::milliseconds timeout,
                           std::string stdin_file) {
    args.insert(args.begin(), minewall_binary());
    auto result = run_command(args, timeout, std::move(stdin_file));
    check_no_sanitizer_report("minewall " + (args.size() > 1 ? args[1] : std::string()),
                              result.err + result.out);
    return result;
}

CommandResult curl(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {"curl", "-q", "-sS", "--max-time", "30"};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_command(argv, std::chrono::seconds(40));
}

}  // namespace minewall::testing
