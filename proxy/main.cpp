// minewall: the command line. `run` (the default) starts the proxy; the other subcommands
// are tools for operators (config check; later ca, policy, logs).
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <iostream>

#include "config/config_loader.hpp"
#include "proxy/run_options.hpp"
#include "proxy/server.hpp"
#include "proxy/transaction_sink.hpp"

namespace {

using namespace minewall;

void setup_logging(const std::string& level) {
    auto logger = spdlog::stderr_color_mt("minewall");
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
    spdlog::set_default_logger(logger);
    spdlog::set_level(spdlog::level::from_str(level));
    spdlog::flush_on(spdlog::level::info);
}

int run_proxy(const proxy::RunOptions& options) {
    auto loaded = proxy::load_run_config(options);
    if (!loaded.ok()) {
        for (const auto& e : loaded.errors)
            std::cerr << "minewall: " << e.to_string() << "\n";
        return 2;
    }
    setup_logging(loaded.config->log_level);
    proxy::OperationalLogSink sink;
    auto reloader = [options](std::string& error) -> std::optional<config::Config> {
        auto fresh = proxy::load_run_config(options);
        if (!fresh.ok()) {
            error.clear();
            for (const auto& e : fresh.errors)
                error += (error.empty() ? "" : "; ") + e.to_string();
            return std::nullopt;
        }
        spdlog::set_level(spdlog::level::from_str(fresh.config->log_level));
        return fresh.config;
    };
    try {
        proxy::Server server(*loaded.config, sink, reloader);
        server.listen();
        return server.run();
    } catch (const std::exception& e) {
        spdlog::critical("{}", e.what());
        return 1;
    }
}

int check_config(const std::string& file) {
    auto result = config::load_config_file(file);
    if (!result.ok()) {
        for (const auto& e : result.errors)
            std::cerr << e.to_string() << "\n";
        std::cerr << result.errors.size() << " error(s) in " << file << "\n";
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

    proxy::RunOptions run_options;
    auto* run =
        app.add_subcommand("run", "Run the proxy (the default when no subcommand is given)");
    run->fallthrough();
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

    auto* config_cmd = app.add_subcommand("config", "Configuration tools");
    config_cmd->require_subcommand(1);
    std::string check_file;
    auto* check = config_cmd->add_subcommand("check", "Validate a configuration file");
    check->add_option("file", check_file, "The file to check")->required();
    check->callback([&] {
        int code = check_config(check_file);
        if (code != 0) throw CLI::RuntimeError(code);
    });

    CLI11_PARSE(app, argc, argv);
    if (app.get_subcommands().empty() || run->parsed()) return run_proxy(run_options);
    return 0;
}
