#pragma once
// The policy file as plain data, and its YAML loader. The policy is separate from the main
// configuration: rules (allow / block / bypass_inspection), feeds, mode and detector switches.
// Every error carries file:line:column; unknown keys and wrong types are errors.
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "policy/feed_parser.hpp"
#include "policy/verdict.hpp"

namespace minewall::policy {

enum class PolicyMode {
    Enforce,  // block what the policy blocks
    Monitor,  // allow everything; verdicts are marked monitor_only and keep the threat fields
};

struct PolicyError {
    std::string file;
    std::size_t line = 0;    // 1-based; 0 when unknown
    std::size_t column = 0;  // 1-based; 0 when unknown
    std::string message;

    std::string to_string() const;  // "file:line:col: message"
};

struct PolicyRule {
    std::string id;
    Action action = Action::Block;
    std::vector<std::string> domains;      // normalized; match the domain and its subdomains
    std::vector<std::string> hosts;        // normalized; exact host names
    std::vector<std::string> urls;         // RE2 patterns against the full URL (case-insensitive)
    std::vector<std::string> user_agents;  // terms, matched like KQL has_any
    std::vector<std::string> ips;          // destination addresses / CIDR networks
    std::vector<std::string> clients;      // only for these client addresses / networks
    std::string threat_name;  // block rules; default by matcher: CoinMiner.Pool, .URL, .UA.<term>
    int risk_score = 0;       // 0 = detector default
    std::size_t line = 0;

    bool has_destination_matchers() const {
        return !domains.empty() || !hosts.empty() || !urls.empty() || !user_agents.empty() ||
               !ips.empty();
    }
};

struct FeedSpec {
    std::string name;
    std::string source;  // path (relative to the policy file), http(s):// URL, or builtin:<name>
    FeedFormat format = FeedFormat::Domains;
    Action action = Action::Block;
    std::chrono::seconds refresh{std::chrono::hours(24)};  // URL feeds
    bool include_subdomains = true;
    std::string category = "Cryptominer";  // useragent_csv
    std::string threat_name;               // default depends on the entry kind
    std::size_t line = 0;

    bool is_url() const { return source.starts_with("http://") || source.starts_with("https://"); }
    bool is_builtin() const { return source.starts_with("builtin:"); }
};

struct DetectorSwitches {
    bool user_agent_families = true;  // built-in mining-software User-Agent families
    bool stratum = true;              // stratum / mining JSON-RPC in tunnels and POST bodies
    bool content = true;              // browser-miner JavaScript signatures
    bool wasm = true;                 // CryptoNight WebAssembly exports
    bool websocket = true;            // pool messages in WebSocket frames
};

struct PolicyDocument {
    PolicyMode mode = PolicyMode::Enforce;
    std::size_t content_scan_limit = 256 * 1024;
    DetectorSwitches detectors;
    std::vector<FeedSpec> feeds;
    std::vector<PolicyRule> rules;
    std::string feed_cache_dir;  // empty: the store's default
    std::string source;          // file path or "<embedded default policy>"
    std::string base_dir;        // for relative feed paths
};

struct PolicyDocumentResult {
    std::optional<PolicyDocument> document;  // set when errors is empty
    std::vector<PolicyError> errors;
};

// `source` names the text in errors; relative feed paths resolve against `base_dir`.
PolicyDocumentResult parse_policy_document(std::string_view yaml, const std::string& source,
                                           const std::string& base_dir);
PolicyDocumentResult load_policy_file(const std::string& path);
PolicyDocumentResult load_default_policy();

inline constexpr std::string_view kDefaultPolicySource = "<embedded default policy>";

// "90s", "30m", "24h", "7d" or a number of seconds.
std::optional<std::chrono::seconds> parse_duration(std::string_view text);

std::string_view action_name(Action action);  // "allow", "block", "bypass_inspection"

}  // namespace minewall::policy
