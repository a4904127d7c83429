#pragma once
// `minewall policy check` and `minewall policy stats`. The work is done by plain functions over
// an options struct and streams (testable without CLI11); register_policy_commands() is glue.
#include <iosfwd>
#include <string>

namespace CLI {
class App;
}

namespace minewall::policy {

struct PolicyCheckOptions {
    std::string policy_path;     // empty: the embedded default policy
    std::string feed_cache_dir;  // where URL feeds' last-good copies are (no network in the CLI)
    std::string url;
    std::string user_agent;
    std::string host;  // default: the URL's host
    std::string sni;
    std::string client_ip = "127.0.0.1";
    std::string method;          // default: GET with --url, POST with a payload and --url
    std::string content_type;    // response stage
    std::string payload_path;    // bytes: tunnel leading bytes, request body or response body
    std::string stage = "auto";  // auto, connect, client_hello, request, response, tunnel
    bool json = false;
    bool batch = false;  // read JSON lines {"url","ua","host","sni","client_ip"} from stdin
};

struct PolicyStatsOptions {
    std::string policy_path;
    std::string feed_cache_dir;
    bool json = false;
    bool issues = false;  // also list the feeds' unusable lines
};

// Exit codes: 0 evaluated (whatever the verdict), 2 policy or input errors.
int run_policy_check(const PolicyCheckOptions& options, std::istream& in, std::ostream& out,
                     std::ostream& err);
int run_policy_stats(const PolicyStatsOptions& options, std::ostream& out, std::ostream& err);

void register_policy_commands(CLI::App& root);

}  // namespace minewall::policy
