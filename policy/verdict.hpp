#pragma once
// The policy's answer for one set of facts. Carries everything the NSS web log needs.
#include <string>

namespace minewall::policy {

enum class Action {
    Allow,
    Block,
    BypassInspection,  // splice: tunnel the bytes untouched
};

struct Verdict {
    Action action = Action::Allow;
    bool monitor_only = false;  // policy mode "monitor": would have blocked, was allowed
    std::string reason = "Allowed";
    std::string url_category = "Miscellaneous or Unknown";
    std::string url_super_category = "Miscellaneous";
    std::string url_class = "Miscellaneous";
    std::string threat_name;      // e.g. CoinMiner.Stratum, CoinMiner.UA.XMRig
    std::string threat_category;  // e.g. Cryptomining
    std::string threat_class;     // e.g. Cryptomining
    int risk_score = 0;           // 0..100
    std::string rule;             // id/label of the matching rule
    std::string rule_type;        // e.g. "Cryptomining" / "URL Filtering"
    std::string feed;             // feed that supplied the rule ("builtin", a file, a URL)
    std::string detector;  // which detector fired: pool_host, pool_ip, miner_url, user_agent,
                           // stratum, content, wasm, websocket, rule (empty when none)
    std::string evidence;  // what matched (domain suffix, UA term, JSON-RPC method, export name)

    bool blocks() const { return action == Action::Block && !monitor_only; }
};

}  // namespace minewall::policy
