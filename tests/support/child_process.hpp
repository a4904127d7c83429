#pragma once
// Runs another program (minewall, curl, openssl) from a test: stdout and stderr go to files
// the test can read while it runs; signals and bounded waits.
#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace minewall::testing {

class ChildProcess {
  public:
    // Starts argv[0] (looked up in PATH) with its output captured under a fresh temp folder.
    explicit ChildProcess(std::vector<std::string> argv, std::string stdin_file = "");
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;
    ~ChildProcess();  // SIGKILL if still running

    pid_t pid() const { return pid_; }
    void signal(int signal_number);
    // Exit code (128+signal when killed by one), or nullopt when still running at the deadline.
    std::optional<int> wait(std::chrono::milliseconds timeout);
    bool running();

    std::string stdout_text() const;
    std::string stderr_text() const;
    // Polls stderr+stdout until `needle` appears; returns the text so far or nullopt on timeout.
    std::optional<std::string> wait_for_output(const std::string& needle,
                                               std::chrono::milliseconds timeout) const;

  private:
    pid_t pid_ = -1;
    std::optional<int> exit_code_;
    std::string out_path_;
    std::string err_path_;
};

struct CommandResult {
    int exit_code = -1;
    std::string out;
    std::string err;
};

// Runs a command to completion (killed after timeout, exit code -1 then).
CommandResult run_command(std::vector<std::string> argv,
                          std::chrono::milliseconds timeout = std::chrono::seconds(60),
                          std::string stdin_file = "");

// A fresh temporary folder, removed with its content when this goes out of scope.
class TempDir {
  public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::string& path() const { return path_; }
    std::string file(const std::string& name) const { return path_ + "/" + name; }
    std::string write(const std::string& name, const std::string& content) const;

  private:
    std::string path_;
};

std::string read_file(const std::string& path);

}  // namespace minewall::testing
