// minewall: the command line. `run` (the default) starts the proxy; the other subcommands
// are tools for operators: config check, ca, policy, logs.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <condition_variable>
#include <iostream>
#include <mutex>
#include <optional>
#include <thread>

#include "certs/ca_commands.hpp"
#include "certs/certificate_authority.hpp"
#include "config/config_loader.hpp"
#include "identity/identity_sources.hpp"
#include "policy/policy_commands.hpp"
#include "policy/policy_store.hpp"
#include "proxy/listen/server.hpp"
#include "proxy/ops/feed_downloader.hpp"
#include "proxy/ops/proxy_state.hpp"
#include "proxy/ops/run_options.hpp"
#include "proxy/ops/statistics.hpp"
#include "proxy/ops/weblog_setup.hpp"
#include "proxy/session/transaction_sink.hpp"
#include "proxy/tunnel/tls_interception.hpp"
#include "weblog/logs_commands.hpp"
#include "weblog/web_log.hpp"

namespace {

using namespace minewall;

void setup_logging(const std::string& level) {
    auto logger = spdlog::stderr_color_mt("minewall");
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
    spdlog::set_default_logger(logger);
    spdlog::set_level(spdlog::level::from_str(level));
    spdlog::flush_on(spdlog::level::info);
}

// Loads the policy once; on failure every error is printed and start-up stops.
std::unique_ptr<policy::PolicyStore> load_policy(const config::Config& cfg) {
    policy::PolicyStoreOptions options;
    options.policy_path = cfg.policy.file;
    options.feed_cache_dir = config::effective_state_dir(cfg) + "/feeds";
    proxy::FeedDownloadOptions download;
    download.extra_ca_file = cfg.tls.upstream_ca_file;
    options.fetcher = std::make_shared<proxy::FeedDownloader>(download);
    auto store = std::make_unique<policy::PolicyStore>(options);
    auto result = store->reload();
    for (const auto& w : result.warnings)
        spdlog::warn("policy: {}", w);
    if (!result.ok) {
        for (const auto& e : result.errors)
            spdlog::critical("policy: {}", e.to_string());
        return nullptr;
    }
    const auto& summary = store->snapshot()->summary();
    spdlog::info("policy {} loaded: {} domains, {} URL patterns, {} User-Agent terms, mode {}",
                 summary.source, summary.domains, summary.url_patterns, summary.user_agent_terms,
                 summary.mode == policy::PolicyMode::Monitor ? "monitor" : "enforce");
    return store;
}

void log_policy_reload(const policy::ReloadResult& result) {
    for (const auto& w : result.warnings)
        spdlog::warn("policy: {}", w);
    if (result.ok) {
        spdlog::info("policy reloaded");
        return;
    }
    for (const auto& e : result.errors)
        spdlog::error("policy reload failed, keeping the running policy: {}", e.to_string());
}

// Polls for changed policy files and due URL feeds off the I/O threads.
class PolicyWatcher {
  public:
    PolicyWatcher(policy::PolicyStore& store, std::chrono::milliseconds interval)
        : thread_([this, &store, interval] {
              std::unique_lock lock(mutex_);
              while (!stop_) {
                  if (wake_.wait_for(lock, interval, [this] { return stop_; })) break;
                  lock.unlock();
                  if (auto reloaded = store.reload_if_changed()) log_policy_reload(*reloaded);
                  auto refresh = store.refresh_feeds();
                  for (const auto& m : refresh.messages)
                      spdlog::info("policy feeds: {}", m);
                  lock.lock();
              }
          }) {}
    ~PolicyWatcher() {
        {
            std::lock_guard lock(mutex_);
            stop_ = true;
        }
        wake_.notify_all();
        thread_.join();
    }

  private:
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stop_ = false;
    std::thread thread_;
};

void print_errors(const std::vector<std::string>& errors) {
    for (const auto& e : errors)
        std::cerr << "minewall: " << e << "\n";
}

int run_proxy(const proxy::RunOptions& options) {
    auto loaded = proxy::load_run_config(options);
    if (!loaded.ok()) {
        for (const auto& e : loaded.errors)
            std::cerr << "minewall: " << e.to_string() << "\n";
        return 2;
    }
    const config::Config& cfg = *loaded.config;
    setup_logging(cfg.log_level);

    auto feeds = proxy::build_weblog_feeds(cfg, options.config_file, options.weblog_specs);
    if (!feeds.errors.empty()) {
        print_errors(feeds.errors);
        return 2;
    }
    std::unique_ptr<weblog::WebLog> web_log;
    if (!feeds.feeds.empty()) {
        weblog::WebLogOptions log_options;
        log_options.queue_records = cfg.weblog.queue_records;
        log_options.product_version = MINEWALL_VERSION;
        auto created = weblog::WebLog::create(feeds.feeds, log_options);
        if (!created.log) {
            spdlog::critical("cannot start the web log: {}", created.error);
            return 1;
        }
        web_log = std::move(created.log);
        for (const auto& feed : feeds.feeds)
            spdlog::info("web log feed '{}' started", feed.name);
    } else {
        spdlog::warn("no web log feed configured: transactions are not recorded");
    }
    proxy::WebLogTransactionSink sink(web_log.get());

    auto policy_store = load_policy(cfg);
    if (!policy_store) return 2;
    std::unique_ptr<proxy::TlsInterception> tls;
    if (cfg.tls.intercept) {
        auto created = proxy::TlsInterception::create(cfg.tls, config::effective_state_dir(cfg));
        if (!created.interception) {
            spdlog::critical("TLS interception: {}", created.error);
            return 2;
        }
        spdlog::info("TLS interception on: clients must trust {}{}", created.ca_cert_path,
                     created.ca_created ? " (new CA created)" : "");
        tls = std::move(created.interception);
    } else {
        spdlog::info("TLS interception off: CONNECT tunnels are relayed untouched");
    }
    auto identity = identity::load_identity_sources(cfg.identity);
    if (!identity.sources) {
        print_errors(identity.errors);
        return 2;
    }
    if (identity.sources->credentials)
        spdlog::info("proxy authentication on: {} user(s) from {}",
                     identity.sources->credentials->user_count(), cfg.identity.users_file);
    PolicyWatcher policy_watcher(*policy_store, cfg.policy.check_interval);

    proxy::Server* running = nullptr;
    auto reloader = [options, &policy_store, &cfg,
                     &running](std::string& error) -> std::optional<config::Config> {
        // SIGHUP re-reads the policy too; each keeps its running version when broken.
        log_policy_reload(policy_store->reload());
        auto fresh = proxy::load_run_config(options);
        if (!fresh.ok()) {
            error.clear();
            for (const auto& e : fresh.errors)
                error += (error.empty() ? "" : "; ") + e.to_string();
            return std::nullopt;
        }
        spdlog::set_level(spdlog::level::from_str(fresh.config->log_level));
        auto fresh_identity = identity::load_identity_sources(fresh.config->identity);
        if (!fresh_identity.sources) {
            error.clear();
            for (const auto& e : fresh_identity.errors)
                error += (error.empty() ? "" : "; ") + e;
            return std::nullopt;
        }
        if (running) running->state().replace_identity(fresh_identity.sources);
        if (fresh.config->policy.file != cfg.policy.file)
            spdlog::warn("reload: policy.file changes take effect at the next restart");
        return fresh.config;
    };
    int code = 0;
    std::optional<proxy::StatisticsReport> final_statistics;
    try {
        proxy::Server server(cfg, sink, reloader);
        server.on_reopen_logs([&web_log] {
            if (web_log) web_log->reopen();
        });
        server.on_statistics([&web_log](proxy::StatisticsReport& report) {
            if (web_log) add_weblog_statistics(*web_log, report);
        });
        server.state().set_policy_store(policy_store.get());
        server.state().set_tls(tls.get());
        server.state().replace_identity(identity.sources);
        running = &server;
        server.listen();
        code = server.run();
        final_statistics = proxy::collect_statistics(server.state());
    } catch (const std::exception& e) {
        spdlog::critical("{}", e.what());
        code = 1;
    }
    // Every session has ended (the last ones when the server's workers were destroyed): flush
    // file feeds, persist what network feeds could not send, then report the final counters.
    if (web_log) {
        web_log->shutdown();
        auto stats = web_log->stats();
        spdlog::info("web log: {} records, {} dropped", stats.emitted, stats.dropped);
    }
    if (final_statistics) {
        if (web_log) add_weblog_statistics(*web_log, *final_statistics);
        spdlog::info("statistics (at shutdown): {}", final_statistics->line());
    }
    return code;
}

int check_config(const std::string& file, const std::vector<std::string>& weblog_specs) {
    auto result = config::load_config_file(file);
    if (!result.ok()) {
        for (const auto& e : result.errors)
            std::cerr << e.to_string() << "\n";
        std::cerr << result.errors.size() << " error(s) in " << file << "\n";
        return 1;
    }
    auto feeds = proxy::build_weblog_feeds(*result.config, file, weblog_specs);
    if (!feeds.errors.empty()) {
        for (const auto& e : feeds.errors)
            std::cerr << e << "\n";
        std::cerr << feeds.errors.size() << " error(s) in " << file << "\n";
        return 1;
    }
    std::cout << file << ": OK\n";
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"minewall: an inline forward web proxy that stops cryptomining"};
    app.set_version_flag("--version,-V", std::string("minewall ") + MINEWALL_VERSION);
    app.require_subcommand(0, 1);
    app.fallthrough();  // root options may follow the subcommand name

    proxy::RunOptions run_options;
    auto* run =
        app.add_subcommand("run", "Run the proxy (the default when no subcommand is given)");
    app.add_option("-c,--config", run_options.config_file,
                   "Configuration file (YAML); without it the embedded default runs")
        ->check(CLI::ExistingFile);
    app.add_option("-l,--listen", run_options.listen,
                   "Listen on ADDR:PORT (repeatable; replaces the configured listeners)");
    app.add_option("--state-dir", run_options.state_dir,
                   "Where the CA, feed caches and log buffers live");
    app.add_option("--log-level", run_options.log_level, "trace|debug|info|warn|error|critical|off")
        ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}));
    app.add_option("--workers", run_options.worker_threads, "I/O worker threads (0: one per core)");
    app.add_option("--ca-dir", run_options.ca_dir,
                   "Folder of the interception CA (ca.pem, ca.key); created when missing");
    app.add_option("--upstream-ca", run_options.upstream_ca,
                   "Extra CA bundle trusted when verifying origins")
        ->check(CLI::ExistingFile);
    app.add_flag("--no-intercept", run_options.no_intercept,
                 "Relay CONNECT tunnels without decrypting them");
    app.add_option("--weblog", run_options.weblog_specs,
                   "Add a web-log feed PRESET:DESTINATION, e.g. splunk:/var/log/minewall/web.log "
                   "(repeatable)");

    auto* config_cmd = app.add_subcommand("config", "Configuration tools");
    config_cmd->require_subcommand(1);
    std::string check_file;
    auto* check = config_cmd->add_subcommand("check", "Validate a configuration file");
    check->add_option("file", check_file, "The file to check")->required();
    check->callback([&] {
        int code = check_config(check_file, run_options.weblog_specs);
        if (code != 0) throw CLI::RuntimeError(code);
    });

    certs::register_ca_commands(app, [&] {
        auto state_dir =
            run_options.state_dir.empty() ? config::default_state_dir() : run_options.state_dir;
        return certs::ca_dir_in(state_dir);
    });
    policy::register_policy_commands(app);
    weblog::register_logs_commands(app);

    CLI11_PARSE(app, argc, argv);
    if (app.get_subcommands().empty() || run->parsed()) return run_proxy(run_options);
    return 0;
}
