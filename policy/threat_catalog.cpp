#include "policy/threat_catalog.hpp"

namespace minewall::policy {

std::string_view detector_name(Detector detector) {
    switch (detector) {
        case Detector::PoolHost:
            return "pool_host";
        case Detector::PoolIp:
            return "pool_ip";
        case Detector::MinerUrl:
            return "miner_url";
        case Detector::UserAgent:
            return "user_agent";
        case Detector::Stratum:
            return "stratum";
        case Detector::Content:
            return "content";
        case Detector::Wasm:
            return "wasm";
        case Detector::WebSocket:
            return "websocket";
        case Detector::Client:
            return "client";
    }
    return "unknown";
}

int default_risk_score(Detector detector) {
    switch (detector) {
        case Detector::Stratum:
        case Detector::WebSocket:
            return 95;  // the miner is talking to its pool right now
        case Detector::UserAgent:
        case Detector::Wasm:
            return 90;
        case Detector::Content:
            return 85;
        case Detector::PoolHost:
        case Detector::PoolIp:
            return 80;
        case Detector::MinerUrl:
            return 75;
        case Detector::Client:
            return 50;
    }
    return 50;
}

Verdict threat_verdict(const Finding& finding, bool monitor) {
    // Built in place, field by field, so no string is first given its allowed-verdict default
    // and then replaced (a block on the hot path costs only the allocations its text needs).
    return Verdict{
        .action = Action::Block,
        .monitor_only = monitor,
        // Monitor mode lets the transaction through, so the log says what happened: Allowed.
        .reason = std::string(monitor ? vocab::kReasonAllowed : vocab::kReasonCryptomining),
        .url_category = std::string(vocab::kCategoryCryptomining),
        .url_super_category = std::string(vocab::kSuperCategorySecurity),
        .url_class = std::string(vocab::kClassSecurityRisk),
        .threat_name = std::string(finding.threat_name),
        .threat_category = std::string(vocab::kThreatCategory),
        .threat_class = std::string(vocab::kThreatClass),
        .risk_score =
            finding.risk_score > 0 ? finding.risk_score : default_risk_score(finding.detector),
        .rule = std::string(finding.rule),
        .rule_type = std::string(vocab::kRuleTypeCryptomining),
        .feed = std::string(finding.feed),
        .detector = std::string(detector_name(finding.detector)),
        .evidence = std::string(finding.evidence),
    };
}

}  // namespace minewall::policy
