#pragma once
// The running proxy: worker threads with their listeners, signal handling (SIGTERM/SIGINT
// drain, SIGHUP reload, SIGUSR1 reopen logs, SIGUSR2 statistics) and the shutdown sequence.
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "proxy/ops/heap_release.hpp"
#include "proxy/ops/statistics_report.hpp"
#include "proxy/session/transaction_sink.hpp"

namespace minewall::proxy {

class ProxyState;
class Worker;

// Produces a freshly validated configuration for SIGHUP, or an error message (then the
// running configuration stays).
using ConfigReloader = std::function<std::optional<config::Config>(std::string& error_message)>;

class Server {
  public:
    Server(config::Config config, TransactionSink& sink, ConfigReloader reloader);
    ~Server();

    // Binds every listener (throws with a clear message when a bind fails).
    void listen();
    // Runs until SIGTERM/SIGINT and the drain finish. Returns the process exit code.
    int run();

    // Called on SIGUSR1 (logrotate: reopen log files).
    void on_reopen_logs(std::function<void()> reopen) { reopen_logs_ = std::move(reopen); }
    // Adds what the server does not own (the web log's counters) to each statistics report.
    void on_statistics(std::function<void(StatisticsReport&)> add) {
        add_statistics_ = std::move(add);
    }

    // Writes every counter as one "statistics (<when>): key=value ..." line to the log.
    void log_statistics(const char* when);

    ProxyState& state();

  private:
    void reload();
    void drain_and_stop();
    // Every heap_release_interval: hands free heap memory back to the OS (heap_release.hpp).
    void release_free_heap();

    std::unique_ptr<ProxyState> state_;
    std::vector<std::unique_ptr<Worker>> workers_;
    ConfigReloader reloader_;
    std::function<void()> reopen_logs_;
    std::function<void(StatisticsReport&)> add_statistics_;
    HeapReleaser heap_releaser_;
};

}  // namespace minewall::proxy
