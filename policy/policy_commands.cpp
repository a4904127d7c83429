#include "policy/policy_commands.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdint>
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string_view>
#include <vector>

#include "policy/policy_store.hpp"
#include "policy/wasm_exports.hpp"
#include "text/read_file.hpp"

namespace minewall::policy {
namespace {

using nlohmann::json;

// Every JSON the commands print: one document per line (check, batch) or indented (stats);
// bytes that are not UTF-8 (hostile URLs, User-Agents) are replaced rather than thrown on.
void print_json(std::ostream& out, const json& j, int indent = -1) {
    out << j.dump(indent, ' ', false, json::error_handler_t::replace) << '\n';
}

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
            print_json(out, {{"line", number}, {"error", "not a JSON object"}});
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
            print_json(out, {{"line", number},
                             {"error", "url, ua, host, sni and client_ip must be strings"}});
            rc = 2;
            continue;
        }
        std::string error;
        auto facts = facts_from(o, {}, &error);
        auto v = snapshot.decide(*facts);
        auto obj = verdict_object(v);
        obj["line"] = number;
        print_json(out, obj);
    }
    return rc;
}

// What `policy stats` counts, listed once for both renderings: text label, JSON key, value.
struct StatRow {
    std::string_view label;
    std::string_view key;
    std::uint64_t value;
};
using StatRows = std::vector<StatRow>;

StatRows rule_type_rows(const SnapshotSummary& s) {
    return {{"rules", "rules", s.rules},
            {"domains", "domains", s.domains},
            {"exact hosts", "hosts", s.hosts},
            {"ip/cidr", "ips", s.ips},
            {"url patterns", "url_patterns", s.url_patterns},
            {"user-agent terms", "user_agent_terms", s.user_agent_terms},
            {"built-in UA families", "builtin_user_agent_families", s.builtin_user_agent_families},
            {"client-only rules", "client_rules", s.client_rules}};
}

StatRows feed_entry_rows(const SnapshotSummary::Feed& f) {
    return {{"domains", "domains", f.domains},
            {"ips", "ips", f.ips},
            {"url patterns", "url_patterns", f.urls},
            {"user-agents", "user_agents", f.user_agents},
            {"exceptions", "exceptions", f.exceptions}};
}

StatRows feed_skip_rows(const SnapshotSummary::Feed& f) {
    return {{"skipped lines", "skipped_lines", f.issues},
            {"cosmetic rules", "cosmetic_rules", f.cosmetic_skipped},
            {"options ignored", "options_ignored", f.options_ignored}};
}

StatRows decision_rows(const PolicyCounters& c) {
    return {{"decisions", "decisions", c.decisions.load()},
            {"allowed", "allowed", c.allowed.load()},
            {"blocked", "blocked", c.blocked.load()},
            {"monitored", "monitored", c.monitored.load()},
            {"bypassed", "bypassed", c.bypassed.load()}};
}

StatRows detector_rows(const DetectorCounters& dc) {
    return {{"blocked", "blocked", dc.blocked.load()},
            {"monitored", "monitored", dc.monitored.load()},
            {"allowed", "allowed", dc.allowed.load()}};
}

// "label value, label value, ..." on one line.
void print_inline(std::ostream& out, std::string_view indent, const StatRows& rows) {
    out << indent;
    for (std::size_t i = 0; i < rows.size(); ++i)
        out << (i ? ", " : "") << rows[i].label << ' ' << rows[i].value;
    out << '\n';
}

json rows_object(const StatRows& rows, json into = json::object()) {
    for (const auto& r : rows)
        into[std::string(r.key)] = r.value;
    return into;
}

const char* mode_name(PolicyMode mode) {
    return mode == PolicyMode::Monitor ? "monitor" : "enforce";
}

void print_stats_text(const Snapshot& s, bool issues, std::ostream& out) {
    const auto& sum = s.summary();
    out << "policy:      " << sum.source << '\n';
    out << "mode:        " << mode_name(sum.mode) << '\n';
    out << "content scan limit: " << sum.content_scan_limit << " bytes\n";
    out << std::boolalpha
        << "detectors:   user_agent_families=" << sum.detectors.user_agent_families
        << " stratum=" << sum.detectors.stratum << " content=" << sum.detectors.content
        << " wasm=" << sum.detectors.wasm << " websocket=" << sum.detectors.websocket << '\n';
    out << "\nentries by rule type (rules and feeds):\n";
    for (const auto& r : rule_type_rows(sum))
        out << "  " << r.label << std::string(21 - std::min<std::size_t>(r.label.size(), 20), ' ')
            << r.value << '\n';
    out << "\nfeeds:\n";
    for (const auto& f : sum.feeds) {
        out << "  " << f.name << " (" << f.format << ", " << f.action << ", from " << f.origin
            << "): " << f.source << '\n';
        print_inline(out, "    ", feed_entry_rows(f));
        print_inline(out, "    ", feed_skip_rows(f));
        if (issues)
            for (const auto& i : f.first_issues)
                out << "      line " << i.line << ": " << i.message << '\n';
    }
    const auto& c = s.counters();
    out << "\ncounters (this process):\n";
    print_inline(out, "  ", decision_rows(c));
    for (int d = 0; d < kDetectorCount; ++d) {
        auto detector = static_cast<Detector>(d);
        out << "  " << detector_name(detector) << ": ";
        print_inline(out, "", detector_rows(c.detector(detector)));
    }
}

json stats_json(const Snapshot& s, bool issues) {
    const auto& sum = s.summary();
    json feeds = json::array();
    for (const auto& f : sum.feeds) {
        json jf = rows_object(feed_skip_rows(f), rows_object(feed_entry_rows(f)));
        jf.update(json{{"name", f.name},
                       {"source", f.source},
                       {"format", f.format},
                       {"action", f.action},
                       {"origin", f.origin}});
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
        auto detector = static_cast<Detector>(d);
        detectors[std::string(detector_name(detector))] =
            rows_object(detector_rows(c.detector(detector)));
    }
    json counters = rows_object(decision_rows(c));
    counters["detectors"] = detectors;
    return json{{"policy", sum.source},
                {"mode", mode_name(sum.mode)},
                {"content_scan_limit", sum.content_scan_limit},
                {"rule_types", rows_object(rule_type_rows(sum))},
                {"feeds", feeds},
                {"counters", counters}};
}

}  // namespace

int run_policy_check(const PolicyCheckOptions& options, std::istream& in, std::ostream& out,
                     std::ostream& err) {
    std::string payload;
    if (!options.payload_path.empty()) {
        auto file = text::read_file(options.payload_path);
        if (!file.content) {
            err << "cannot read payload file " << options.payload_path << ": " << file.error
                << '\n';
            return 2;
        }
        payload = std::move(*file.content);
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
        print_json(out, verdict_object(v));
    else
        print_text(v, out);
    return 0;
}

int run_policy_stats(const PolicyStatsOptions& options, std::ostream& out, std::ostream& err) {
    auto snapshot = load(options.policy_path, options.feed_cache_dir, err, true);
    if (!snapshot) return 2;
    if (options.json)
        print_json(out, stats_json(*snapshot, options.issues), 2);
    else
        print_stats_text(*snapshot, options.issues, out);
    return 0;
}

namespace {

// Options both subcommands take: where the policy and the cached URL feeds are, and --json.
void add_policy_options(CLI::App* command, std::string& policy_path, std::string& feed_cache_dir,
                        bool& json, const char* json_help) {
    command->add_option("--policy", policy_path, "Policy file (default: the built-in policy)");
    command->add_option("--feed-cache", feed_cache_dir, "Directory of cached URL feeds");
    command->add_flag("--json", json, json_help);
}

// Runs `run` (returning an exit code) as the subcommand's callback; CLI11 reports failure.
template <class Run>
void run_as_callback(CLI::App* command, Run run) {
    command->callback([run] {
        if (int rc = run(); rc != 0) throw CLI::RuntimeError(rc);
    });
}

}  // namespace

void register_policy_commands(CLI::App& root) {
    auto* policy = root.add_subcommand(
        "policy", "Check URLs, User-Agents and payloads against the threat policy");
    policy->require_subcommand(1);

    auto check_options = std::make_shared<PolicyCheckOptions>();
    auto* check = policy->add_subcommand("check", "Print the verdict and the rule that matched");
    add_policy_options(check, check_options->policy_path, check_options->feed_cache_dir,
                       check_options->json, "One JSON object per verdict");
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
    check->add_flag("--batch", check_options->batch, "Read JSON lines {url, ua, host} from stdin");
    run_as_callback(check, [check_options] {
        return run_policy_check(*check_options, std::cin, std::cout, std::cerr);
    });

    auto stats_options = std::make_shared<PolicyStatsOptions>();
    auto* stats = policy->add_subcommand("stats", "Print entries per rule type and feed");
    add_policy_options(stats, stats_options->policy_path, stats_options->feed_cache_dir,
                       stats_options->json, "JSON output");
    stats->add_flag("--issues", stats_options->issues, "List the feeds' unusable lines");
    run_as_callback(
        stats, [stats_options] { return run_policy_stats(*stats_options, std::cout, std::cerr); });
}

}  // namespace minewall::policy
