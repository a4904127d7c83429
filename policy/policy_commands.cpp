#include "policy/policy_commands.hpp"

#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>

#include "policy/policy_store.hpp"
#include "policy/wasm_exports.hpp"

namespace minewall::policy {
namespace {

using nlohmann::json;

std::shared_ptr<const Snapshot> load(const std::string& policy_path, const std::string& cache_dir,
                                     std::ostream& err, bool show_warnings = false) {
    PolicyStoreOptions o;
    o.policy_path = policy_path;
    o.feed_cache_dir = cache_dir;
    PolicyStore store(o);
    auto r = store.reload();
    for (const auto& e : r.errors)
        err << e.to_string() << '\n';
    if (show_warnings)
        for (const auto& w : r.warnings)
            err << "warning: " << w << '\n';
    if (!r.ok) {
        err << "policy not loaded\n";
        return nullptr;
    }
    return store.snapshot();
}

json verdict_object(const Verdict& v) {
    return json{{"action", std::string(action_name(v.action))},
                {"nss_action", v.blocks() ? "Blocked" : "Allowed"},
                {"monitor_only", v.monitor_only},
                {"reason", v.reason},
                {"threatname", v.threat_name},
                {"threatcategory", v.threat_category},
                {"threatclass", v.threat_class},
                {"urlcategory", v.url_category},
                {"urlsupercategory", v.url_super_category},
                {"urlclass", v.url_class},
                {"riskscore", v.risk_score},
                {"rule", v.rule},
                {"ruletype", v.rule_type},
                {"feed", v.feed},
                {"detector", v.detector},
                {"evidence", v.evidence}};
}

void print_text(const Verdict& v, std::ostream& out) {
    out << "action:    " << action_name(v.action)
        << (v.monitor_only ? " (monitor mode: allowed, not blocked)" : "") << '\n';
    out << "reason:    " << v.reason << '\n';
    out << "category:  " << v.url_category << " / " << v.url_super_category << " / " << v.url_class
        << '\n';
    if (!v.threat_name.empty())
        out << "threat:    " << v.threat_name << " (" << v.threat_category << ", " << v.threat_class
            << "), risk " << v.risk_score << '\n';
    if (!v.rule.empty()) {
        out << "rule:      " << v.rule;
        if (!v.rule_type.empty()) out << " (" << v.rule_type << ")";
        out << ", feed " << v.feed << '\n';
        out << "matched:   " << v.detector << ": " << v.evidence << '\n';
    } else {
        out << "rule:      none matched\n";
    }
}

std::optional<Stage> parse_stage(std::string_view s) {
    if (s == "connect") return Stage::Connect;
    if (s == "client_hello") return Stage::ClientHello;
    if (s == "request") return Stage::Request;
    if (s == "response") return Stage::Response;
    if (s == "tunnel") return Stage::Tunnel;
    return std::nullopt;
}

std::string host_of_url(std::string_view url) {
    auto start = url.find("://");
    start = start == std::string_view::npos ? 0 : start + 3;
    auto end = url.find_first_of("/?#", start);
    std::string_view authority =
        url.substr(start, end == std::string_view::npos ? url.npos : end - start);
    if (auto at = authority.rfind('@'); at != std::string_view::npos)
        authority.remove_prefix(at + 1);
    if (authority.starts_with("["))
        return std::string(authority.substr(0, authority.find(']') + 1));
    return std::string(authority.substr(0, authority.find(':')));
}

// Builds the facts; `payload` must outlive them (leading_bytes is a view).
std::optional<RequestFacts> facts_from(const PolicyCheckOptions& o, const std::string& payload,
                                       std::string* error) {
    RequestFacts f;
    f.client_ip = o.client_ip;
    f.url = o.url;
    f.user_agent = o.user_agent;
    f.host = !o.host.empty() ? o.host : (!o.url.empty() ? host_of_url(o.url) : std::string());
    f.sni = o.sni;
    f.content_type = o.content_type;
    f.leading_bytes = payload;
    if (o.stage != "auto") {
        auto s = parse_stage(o.stage);
        if (!s) {
            *error = "--stage must be auto, connect, client_hello, request, response or tunnel";
            return std::nullopt;
        }
        f.stage = *s;
    } else if (!payload.empty()) {
        bool content = !o.content_type.empty() || WasmExportReader::has_magic(payload) ||
                       payload.front() == '<';
        f.stage = content ? Stage::Response
                          : (!o.url.empty() && !o.method.empty() ? Stage::Request : Stage::Tunnel);
    } else if (!o.url.empty() || !o.user_agent.empty()) {
        f.stage = Stage::Request;
    } else if (!o.sni.empty()) {
        f.stage = Stage::ClientHello;
    } else {
        f.stage = Stage::Connect;
    }
    f.method = !o.method.empty() ? o.method : (f.stage == Stage::Request ? "GET" : "");
    if (f.stage == Stage::Connect) f.method = "CONNECT";
    return f;
}

int run_batch(const Snapshot& snapshot, const PolicyCheckOptions& base, std::istream& in,
              std::ostream& out) {
    int rc = 0;
    std::string line;
    std::size_t number = 0;
    while (std::getline(in, line)) {
        ++number;
        if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
        auto j = json::parse(line, nullptr, false);
        if (j.is_discarded() || !j.is_object()) {
            out << json{{"line", number}, {"error", "not a JSON object"}}.dump(
                       -1, ' ', false, json::error_handler_t::replace)
                << '\n';
            rc = 2;
            continue;
        }
        PolicyCheckOptions o = base;
        o.stage = "auto";
        bool bad = false;
        auto take = [&](const char* key, std::string& field) {
            auto it = j.find(key);
            if (it == j.end()) return;
            if (!it->is_string())
                bad = true;
            else
                field = it->get<std::string>();
        };
        take("url", o.url);
        take("ua", o.user_agent);
        take("host", o.host);
        take("sni", o.sni);
        take("client_ip", o.client_ip);
        if (bad) {
            out << json{{"line", number},
                        {"error", "url, ua, host, sni and client_ip must be strings"}}
                       .dump(-1, ' ', false, json::error_handler_t::replace)
                << '\n';
            rc = 2;
            continue;
        }
        std::string error;
        auto facts = facts_from(o, {}, &error);
        auto v = snapshot.decide(*facts);
        auto obj = verdict_object(v);
        obj["line"] = number;
        out << obj.dump(-1, ' ', false, json::error_handler_t::replace) << '\n';
    }
    return rc;
}

void print_stats_text(const Snapshot& s, bool issues, std::ostream& out) {
    const auto& sum = s.summary();
    out << "policy:      " << sum.source << '\n';
    out << "mode:        " << (sum.mode == PolicyMode::Monitor ? "monitor" : "enforce") << '\n';
    out << "content scan limit: " << sum.content_scan_limit << " bytes\n";
    out << std::boolalpha
        << "detectors:   user_agent_families=" << sum.detectors.user_agent_families
        << " stratum=" << sum.detectors.stratum << " content=" << sum.detectors.content
        << " wasm=" << sum.detectors.wasm << " websocket=" << sum.detectors.websocket << '\n';
    out << "\nentries by rule type (rules and feeds):\n";
    out << "  rules                " << sum.rules << '\n';
    out << "  domains              " << sum.domains << '\n';
    out << "  exact hosts          " << sum.hosts << '\n';
    out << "  ip/cidr              " << sum.ips << '\n';
    out << "  url patterns         " << sum.url_patterns << '\n';
    out << "  user-agent terms     " << sum.user_agent_terms << '\n';
    out << "  built-in UA families " << sum.builtin_user_agent_families << '\n';
    out << "  client-only rules    " << sum.client_rules << '\n';
    out << "\nfeeds:\n";
    for (const auto& f : sum.feeds) {
        out << "  " << f.name << " (" << f.format << ", " << f.action << ", from " << f.origin
            << "): " << f.source << '\n';
        out << "    domains " << f.domains << ", ips " << f.ips << ", url patterns " << f.urls
            << ", user-agents " << f.user_agents << ", exceptions " << f.exceptions << '\n';
        out << "    skipped lines " << f.issues << ", cosmetic rules " << f.cosmetic_skipped
            << ", options ignored " << f.options_ignored << '\n';
        if (issues)
            for (const auto& i : f.first_issues)
                out << "      line " << i.line << ": " << i.message << '\n';
    }
    const auto& c = s.counters();
    out << "\ncounters (this process):\n";
    out << "  decisions " << c.decisions << ", allowed " << c.allowed << ", blocked " << c.blocked
        << ", monitored " << c.monitored << ", bypassed " << c.bypassed << '\n';
    for (int d = 0; d < kDetectorCount; ++d) {
        const auto& dc = c.detector(static_cast<Detector>(d));
        out << "  " << detector_name(static_cast<Detector>(d)) << ": blocked " << dc.blocked
            << ", monitored " << dc.monitored << ", allowed " << dc.allowed << '\n';
    }
}

json stats_json(const Snapshot& s, bool issues) {
    const auto& sum = s.summary();
    json feeds = json::array();
    for (const auto& f : sum.feeds) {
        json jf{{"name", f.name},
                {"source", f.source},
                {"format", f.format},
                {"action", f.action},
                {"origin", f.origin},
                {"domains", f.domains},
                {"ips", f.ips},
                {"url_patterns", f.urls},
                {"user_agents", f.user_agents},
                {"exceptions", f.exceptions},
                {"skipped_lines", f.issues},
                {"cosmetic_rules", f.cosmetic_skipped},
                {"options_ignored", f.options_ignored}};
        if (issues) {
            json list = json::array();
            for (const auto& i : f.first_issues)
                list.push_back({{"line", i.line}, {"message", i.message}});
            jf["issues"] = list;
        }
        feeds.push_back(jf);
    }
    const auto& c = s.counters();
    json detectors = json::object();
    for (int d = 0; d < kDetectorCount; ++d) {
        const auto& dc = c.detector(static_cast<Detector>(d));
        detectors[std::string(detector_name(static_cast<Detector>(d)))] = {
            {"blocked", dc.blocked.load()},
            {"monitored", dc.monitored.load()},
            {"allowed", dc.allowed.load()}};
    }
    return json{{"policy", sum.source},
                {"mode", sum.mode == PolicyMode::Monitor ? "monitor" : "enforce"},
                {"content_scan_limit", sum.content_scan_limit},
                {"rule_types",
                 {{"rules", sum.rules},
                  {"domains", sum.domains},
                  {"hosts", sum.hosts},
                  {"ips", sum.ips},
                  {"url_patterns", sum.url_patterns},
                  {"user_agent_terms", sum.user_agent_terms},
                  {"builtin_user_agent_families", sum.builtin_user_agent_families},
                  {"client_rules", sum.client_rules}}},
                {"feeds", feeds},
                {"counters",
                 {{"decisions", c.decisions.load()},
                  {"allowed", c.allowed.load()},
                  {"blocked", c.blocked.load()},
                  {"monitored", c.monitored.load()},
                  {"bypassed", c.bypassed.load()},
                  {"detectors", detectors}}}};
}

}  // namespace

int run_policy_check(const PolicyCheckOptions& options, std::istream& in, std::ostream& out,
                     std::ostream& err) {
    std::string payload;
    if (!options.payload_path.empty()) {
        std::ifstream file(options.payload_path, std::ios::binary);
        if (!file) {
            err << "cannot read payload file " << options.payload_path << '\n';
            return 2;
        }
        std::ostringstream s;
        s << file.rdbuf();
        payload = s.str();
    }
    if (!options.batch && options.url.empty() && options.user_agent.empty() &&
        options.host.empty() && options.sni.empty() && payload.empty()) {
        err << "nothing to check: give --url, --ua, --host, --sni or --payload (or --batch)\n";
        return 2;
    }
    auto snapshot = load(options.policy_path, options.feed_cache_dir, err);
    if (!snapshot) return 2;
    if (options.batch) return run_batch(*snapshot, options, in, out);
    std::string error;
    auto facts = facts_from(options, payload, &error);
    if (!facts) {
        err << error << '\n';
        return 2;
    }
    auto v = snapshot->decide(*facts);
    if (options.json)
        out << verdict_object(v).dump(-1, ' ', false, json::error_handler_t::replace) << '\n';
    else
        print_text(v, out);
    return 0;
}

int run_policy_stats(const PolicyStatsOptions& options, std::ostream& out, std::ostream& err) {
    auto snapshot = load(options.policy_path, options.feed_cache_dir, err, true);
    if (!snapshot) return 2;
    if (options.json)
        out << stats_json(*snapshot, options.issues)
                   .dump(2, ' ', false, json::error_handler_t::replace)
            << '\n';
    else
        print_stats_text(*snapshot, options.issues, out);
    return 0;
}

void register_policy_commands(CLI::App& root) {
    auto* policy = root.add_subcommand(
        "policy", "Check URLs, User-Agents and payloads against the threat policy");
    policy->require_subcommand(1);

    auto check_options = std::make_shared<PolicyCheckOptions>();
    auto* check = policy->add_subcommand("check", "Print the verdict and the rule that matched");
    check->add_option("--policy", check_options->policy_path,
                      "Policy file (default: the built-in policy)");
    check->add_option("--feed-cache", check_options->feed_cache_dir,
                      "Directory of cached URL feeds");
    check->add_option("--url", check_options->url, "Full URL, e.g. https://host/path");
    check->add_option("--ua", check_options->user_agent, "User-Agent");
    check->add_option("--host", check_options->host,
                      "Destination host (CONNECT host or Host header)");
    check->add_option("--sni", check_options->sni, "TLS server name");
    check->add_option("--client", check_options->client_ip,
                      "Client address (for rules with clients)");
    check->add_option("--method", check_options->method, "HTTP method");
    check->add_option("--content-type", check_options->content_type,
                      "Response Content-Type (response stage)");
    check->add_option("--payload", check_options->payload_path,
                      "File with tunnel leading bytes, a request body or a response body");
    check->add_option("--stage", check_options->stage,
                      "auto, connect, client_hello, request, response, tunnel");
    check->add_flag("--json", check_options->json, "One JSON object per verdict");
    check->add_flag("--batch", check_options->batch, "Read JSON lines {url, ua, host} from stdin");
    check->callback([check_options] {
        int rc = run_policy_check(*check_options, std::cin, std::cout, std::cerr);
        if (rc != 0) throw CLI::RuntimeError(rc);
    });

    auto stats_options = std::make_shared<PolicyStatsOptions>();
    auto* stats = policy->add_subcommand("stats", "Print entries per rule type and feed");
    stats->add_option("--policy", stats_options->policy_path,
                      "Policy file (default: the built-in policy)");
    stats->add_option("--feed-cache", stats_options->feed_cache_dir,
                      "Directory of cached URL feeds");
    stats->add_flag("--json", stats_options->json, "JSON output");
    stats->add_flag("--issues", stats_options->issues, "List the feeds' unusable lines");
    stats->callback([stats_options] {
        int rc = run_policy_stats(*stats_options, std::cout, std::cerr);
        if (rc != 0) throw CLI::RuntimeError(rc);
    });
}

}  // namespace minewall::policy
