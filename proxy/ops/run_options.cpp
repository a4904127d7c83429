#include "proxy/ops/run_options.hpp"

namespace minewall::proxy {

config::ConfigLoadResult load_run_config(const RunOptions& options) {
    auto result =
        options.config_file.empty()
            ? config::load_config_text(config::embedded_default_config_text(), "<embedded default>")
            : config::load_config_file(options.config_file);
    if (!result.ok()) return result;
    auto& c = *result.config;
    if (!options.listen.empty()) {
        c.listeners.clear();
        for (const auto& spec : options.listen) {
            // port 0 is allowed on the command line: tests and one-off runs take any free port.
            auto listener = config::parse_listen_spec(spec, true);
            if (!listener) {
                result.errors.push_back(
                    {"--listen", 0, 0,
                     "'" + spec + "' is not ADDR:PORT (IPv6 as [ADDR]:PORT, port 0 picks one)"});
                continue;
            }
            c.listeners.push_back(*listener);
        }
    }
    if (!options.state_dir.empty()) c.state_dir = options.state_dir;
    if (!options.log_level.empty()) c.log_level = options.log_level;
    if (options.worker_threads) c.worker_threads = *options.worker_threads;
    if (!options.ca_dir.empty()) {
        // The command line wins over a CA named in the file.
        c.tls.ca_dir = options.ca_dir;
        c.tls.ca_cert_file.clear();
        c.tls.ca_key_file.clear();
    }
    if (!options.upstream_ca.empty()) c.tls.upstream_ca_file = options.upstream_ca;
    if (options.no_intercept) c.tls.intercept = false;
    if (!result.errors.empty()) result.config.reset();
    return result;
}

}  // namespace minewall::proxy
