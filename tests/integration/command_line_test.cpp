#include <doctest/doctest.h>

#include <csignal>

#include "tests/support/child_process.hpp"
#include "tests/support/minewall_process.hpp"

using namespace minewall::testing;

TEST_CASE("--version prints the version") {
    auto r = run_minewall({"--version"});
    CHECK(r.exit_code == 0);
    CHECK(r.out.rfind("minewall 0.", 0) == 0);
}

TEST_CASE("--help lists the subcommands and flags") {
    auto r = run_minewall({"--help"});
    CHECK(r.exit_code == 0);
    for (const char* word : {"run", "config", "--listen", "--state-dir", "--log-level", "--config"})
        CHECK_MESSAGE(r.out.find(word) != std::string::npos, word);
}

TEST_CASE("config check accepts a valid file") {
    TempDir dir;
    auto file = dir.write("ok.yaml", "connect_ports: [443, 8443]\nlog_level: warn\n");
    auto r = run_minewall({"config", "check", file});
    CHECK(r.exit_code == 0);
    CHECK(r.out == file + ": OK\n");
}

TEST_CASE("config check reports every error with file:line:column and fails") {
    TempDir dir;
    auto file = dir.write("bad.yaml", "log_level: loud\nupstream:\n  idle_timeout: forever\n");
    auto r = run_minewall({"config", "check", file});
    CHECK(r.exit_code == 1);
    CHECK(r.err.find(file + ":1:12: log_level must be one of") != std::string::npos);
    CHECK(r.err.find(file + ":3:17: upstream.idle_timeout must be a positive duration") !=
          std::string::npos);
    CHECK(r.err.find("2 error(s)") != std::string::npos);
}

TEST_CASE("run refuses a broken configuration with its position and exit code 2") {
    TempDir dir;
    auto file = dir.write("bad.yaml", "listeners:\n  - port: 99999\n");
    auto r = run_minewall({"run", "--config", file});
    CHECK(r.exit_code == 2);
    CHECK(r.err.find(file + ":2:11: listeners.port must be a whole number") != std::string::npos);
}

TEST_CASE("a bad --listen value is an error naming the flag") {
    auto r = run_minewall({"--listen", "localhost:80"});
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("--listen: 'localhost:80' is not ADDR:PORT") != std::string::npos);
}

TEST_CASE("the embedded default configuration runs without a file") {
    TempDir dir;
    ChildProcess proxy({minewall_binary(), "--listen", "127.0.0.1:0", "--state-dir", dir.path()});
    CHECK(proxy.wait_for_output("ready (instance", std::chrono::seconds(20)));
    proxy.signal(SIGTERM);
    CHECK(proxy.wait(std::chrono::seconds(10)) == 0);
    check_no_sanitizer_report("minewall", proxy.stderr_text() + proxy.stdout_text());
}
