#include "tests/support/child_process.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace minewall::testing {

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

TempDir::TempDir() {
    std::string pattern = std::filesystem::temp_directory_path().string() + "/minewall-test-XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
}

TempDir::~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
}

std::string TempDir::write(const std::string& name, const std::string& content) const {
    auto path = file(name);
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << content;
    return path;
}

ChildProcess::ChildProcess(std::vector<std::string> argv, std::string stdin_file) {
    char out_template[] = "/tmp/minewall-child-out-XXXXXX";
    char err_template[] = "/tmp/minewall-child-err-XXXXXX";
    int out_fd = ::mkstemp(out_template);
    int err_fd = ::mkstemp(err_template);
    out_path_ = out_template;
    err_path_ = err_template;

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out_fd, 1);
    posix_spawn_file_actions_adddup2(&actions, err_fd, 2);
    if (!stdin_file.empty())
        posix_spawn_file_actions_addopen(&actions, 0, stdin_file.c_str(), O_RDONLY, 0);
    else
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    // Only stdin, stdout and stderr: a listener or connection of the test's own (an origin,
    // a pool stand-in) must not live on in minewall or curl after the test closed it.
    posix_spawn_file_actions_addclosefrom_np(&actions, 3);

    std::vector<char*> args;
    for (auto& a : argv)
        args.push_back(a.data());
    args.push_back(nullptr);
    int rc = ::posix_spawnp(&pid_, args[0], &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(out_fd);
    ::close(err_fd);
    if (rc != 0) throw std::runtime_error("cannot start " + argv[0]);
}

ChildProcess::~ChildProcess() {
    if (running()) {
        ::kill(pid_, SIGKILL);
        wait(std::chrono::seconds(10));
    }
    ::unlink(out_path_.c_str());
    ::unlink(err_path_.c_str());
}

void ChildProcess::signal(int signal_number) {
    if (running()) ::kill(pid_, signal_number);
}

bool ChildProcess::running() {
    if (exit_code_) return false;
    return !wait(std::chrono::milliseconds(0)).has_value();
}

std::optional<int> ChildProcess::wait(std::chrono::milliseconds timeout) {
    if (exit_code_) return exit_code_;
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        int status = 0;
        pid_t r = ::waitpid(pid_, &status, WNOHANG);
        if (r == pid_) {
            exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
            return exit_code_;
        }
        if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
}

std::string ChildProcess::stdout_text() const {
    return read_file(out_path_);
}
std::string ChildProcess::stderr_text() const {
    return read_file(err_path_);
}

std::optional<std::string> ChildProcess::wait_for_output(const std::string& needle,
                                                         std::chrono::milliseconds timeout) const {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        auto text = stderr_text() + stdout_text();
        if (text.find(needle) != std::string::npos) return text;
        if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
}

CommandResult run_command(std::vector<std::string> argv, std::chrono::milliseconds timeout,
                          std::string stdin_file) {
    ChildProcess child(std::move(argv), std::move(stdin_file));
    CommandResult result;
    auto code = child.wait(timeout);
    if (!code) {
        child.signal(SIGKILL);
        child.wait(std::chrono::seconds(5));
    }
    result.exit_code = code.value_or(-1);
    result.out = child.stdout_text();
    result.err = child.stderr_text();
    return result;
}

}  // namespace minewall::testing
