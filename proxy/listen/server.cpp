#include "proxy/listen/server.hpp"

#include <spdlog/spdlog.h>

#include <csignal>
#include <thread>

#include "proxy/listen/worker.hpp"
#include "proxy/net/net.hpp"
#include "proxy/ops/proxy_state.hpp"
#include "proxy/ops/statistics.hpp"

namespace minewall::proxy {

namespace {

// Free heap memory goes back to the OS within this long of a burst ending, once at least the
// threshold is held (under steady load the allocator's free pool stays below it, so pages are
// not handed back only to be faulted in again).
constexpr std::chrono::seconds heap_release_interval{10};
constexpr std::size_t heap_release_threshold_bytes = std::size_t{16} << 20;

// Runs `action` on each delivery of the set's signals until the wait is cancelled or
// `stopping` is set.
void on_each_signal(asio::signal_set& set, const bool& stopping, std::function<void()> action) {
    set.async_wait(
        [&set, &stopping, action = std::move(action)](const error_code& ec, int) mutable {
            if (ec || stopping) return;
            action();
            on_each_signal(set, stopping, std::move(action));
        });
}

// Runs `action` every `interval` until the timer is cancelled or `stopping` is set.
void every(asio::steady_timer& timer, std::chrono::steady_clock::duration interval,
           const bool& stopping, std::function<void()> action) {
    timer.expires_after(interval);
    timer.async_wait(
        [&timer, interval, &stopping, action = std::move(action)](const error_code& ec) mutable {
            if (ec || stopping) return;
            action();
            every(timer, interval, stopping, std::move(action));
        });
}

unsigned worker_count(const config::Config& c) {
    if (c.worker_threads > 0) return c.worker_threads;
    unsigned cores = std::thread::hardware_concurrency();
    return cores == 0 ? 1 : cores;
}

}  // namespace

Server::Server(config::Config config, TransactionSink& sink, ConfigReloader reloader)
    : state_(std::make_unique<ProxyState>(std::make_shared<const config::Config>(std::move(config)),
                                          sink)),
      reloader_(std::move(reloader)),
      heap_releaser_(process_heap_allocator(), heap_release_threshold_bytes) {
    auto cfg = state_->config();
    for (unsigned i = 0; i < worker_count(*cfg); ++i)
        workers_.push_back(std::make_unique<Worker>(i, *state_));
}

Server::~Server() {
    for (auto& w : workers_)
        w->stop();
    for (auto& w : workers_)
        w->join();
}

ProxyState& Server::state() {
    return *state_;
}

void Server::listen() {
    auto cfg = state_->config();
    std::vector<BoundEndpoint> bound;
    for (const auto& listener : cfg->listeners) {
        std::uint16_t port = listener.port;
        try {
            // The first worker resolves port 0; the others share the port it got.
            for (auto& worker : workers_)
                port = worker->listen(listener.address, port);
        } catch (const std::exception& e) {
            throw std::runtime_error("cannot listen on " + listener.address + ":" +
                                     std::to_string(listener.port) + ": " + e.what());
        }
        bound.push_back({listener.address, port});
        spdlog::info("listening on {}:{} (explicit proxy, {} workers)",
                     listener.address.find(':') == std::string::npos ? listener.address
                                                                     : "[" + listener.address + "]",
                     port, workers_.size());
    }
    state_->set_bound_endpoints(std::move(bound));
}

int Server::run() {
    // Signals are handled on a context of their own so a busy worker cannot delay them.
    asio::io_context signals_context;
    asio::signal_set stop_signals(signals_context, SIGTERM, SIGINT);
    asio::signal_set reload_signal(signals_context, SIGHUP);
    asio::signal_set reopen_signal(signals_context, SIGUSR1);
    asio::signal_set statistics_signal(signals_context, SIGUSR2);
    std::signal(SIGPIPE, SIG_IGN);

    for (auto& w : workers_)
        w->start();
    spdlog::info("minewall {} ready (instance {}, heap allocator {})", MINEWALL_VERSION,
                 state_->instance_id(), heap_releaser_.allocator_name());

    // After SIGTERM nothing re-arms: a handler that had already completed when the stop handler
    // cancelled its wait would otherwise wait again and keep signals_context.run() from returning.
    bool stopping = false;
    on_each_signal(reload_signal, stopping, [this] { reload(); });
    on_each_signal(reopen_signal, stopping, [this] {
        spdlog::info("SIGUSR1: reopening log files");
        if (reopen_logs_) reopen_logs_();
    });
    on_each_signal(statistics_signal, stopping, [this] { log_statistics("SIGUSR2"); });
    asio::steady_timer heap_timer(signals_context);
    every(heap_timer, heap_release_interval, stopping, [this] { release_free_heap(); });
    stop_signals.async_wait([&](const error_code& ec, int signal_number) {
        if (ec) return;
        spdlog::info("received {}: draining", signal_number == SIGINT ? "SIGINT" : "SIGTERM");
        stopping = true;
        reload_signal.cancel();
        reopen_signal.cancel();
        statistics_signal.cancel();
        heap_timer.cancel();
    });
    signals_context.run();
    // Asio puts the default action back when a signal set lets go of a signal, and for SIGHUP,
    // SIGUSR1 and SIGUSR2 that is to terminate the process, which must not happen while it
    // drains and flushes the web log: let go of them now, then ignore them.
    error_code ignored;
    reload_signal.clear(ignored);
    reopen_signal.clear(ignored);
    statistics_signal.clear(ignored);
    std::signal(SIGHUP, SIG_IGN);
    std::signal(SIGUSR1, SIG_IGN);
    std::signal(SIGUSR2, SIG_IGN);
    if (stopping) drain_and_stop();
    return 0;
}

void Server::release_free_heap() {
    const auto r = heap_releaser_.tick();
    if (!r.released) return;
    auto& c = state_->counters();
    ++c.heap_releases;
    c.heap_released_bytes += r.resident_drop;
    spdlog::debug("handed {} MiB of free heap memory ({}) back to the OS: resident size -{} MiB",
                  r.free_bytes >> 20, heap_releaser_.allocator_name(), r.resident_drop >> 20);
}

void Server::log_statistics(const char* when) {
    auto report = collect_statistics(*state_);
    if (add_statistics_) add_statistics_(report);
    spdlog::info("statistics ({}): {}", when, report.line());
}

void Server::reload() {
    std::string error;
    auto fresh = reloader_ ? reloader_(error) : std::nullopt;
    if (!fresh) {
        spdlog::error("reload failed, keeping the running configuration: {}", error);
        return;
    }
    auto current = state_->config();
    bool listeners_changed = fresh->listeners.size() != current->listeners.size();
    for (std::size_t i = 0; !listeners_changed && i < fresh->listeners.size(); ++i)
        listeners_changed = fresh->listeners[i].address != current->listeners[i].address ||
                            fresh->listeners[i].port != current->listeners[i].port;
    if (listeners_changed) spdlog::warn("reload: listener changes take effect at the next restart");
    if (fresh->worker_threads != current->worker_threads)
        spdlog::warn("reload: worker_threads changes take effect at the next restart");
    // The CA, the leaf cache and the origin trust store are built once at start-up; the splice
    // and verify exception lists and pinned-app relief follow the reload.
    const auto& t = fresh->tls;
    const auto& was = current->tls;
    if (t.intercept != was.intercept || t.ca_dir != was.ca_dir ||
        t.ca_cert_file != was.ca_cert_file || t.ca_key_file != was.ca_key_file ||
        t.ca_chain_file != was.ca_chain_file || t.upstream_ca_file != was.upstream_ca_file ||
        t.leaf_cache_size != was.leaf_cache_size)
        spdlog::warn(
            "reload: tls.intercept, the CA files, tls.upstream_ca_file and tls.leaf_cache_size "
            "take effect at the next restart");
    fresh->listeners = current->listeners;
    state_->replace_config(std::make_shared<const config::Config>(std::move(*fresh)));
    spdlog::info("configuration reloaded; new connections use it");
}

void Server::drain_and_stop() {
    state_->draining = true;
    for (auto& w : workers_)
        w->stop_accepting();
    auto deadline = std::chrono::steady_clock::now() + state_->config()->shutdown.drain_timeout;
    while (state_->active_connections.load() > 0 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    auto left = state_->active_connections.load();
    if (left > 0)
        spdlog::warn("drain deadline reached: closing {} connection(s) still open", left);
    else
        spdlog::info("all transactions finished");
    for (auto& w : workers_)
        w->stop();
    for (auto& w : workers_)
        w->join();
    // Sessions still open at the deadline end here, with their contexts: their web-log records
    // are emitted and the final counters see no connection left.
    workers_.clear();
}

}  // namespace minewall::proxy
