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
    Verdict v;
    v.action = Action::Block;
    v.monitor_only = monitor;
    // Monitor mode lets the transaction through, so the log says what happened: Allowed.
    v.reason = std::string(monitor ? vocab::kReasonAllowed : vocab::kReasonCryptomining);
    v.url_category = std::string(vocab::kCategoryCryptomining);
    v.url_super_category = std::string(vocab::kSuperCategorySecurity);
    v.url_class = std::string(vocab::kClassSecurityRisk);
    v.threat_name = finding.threat_name;
    v.threat_category = std::string(vocab::kThreatCategory);
    v.threat_class = std::string(vocab::kThreatClass);
    v.risk_score =
        finding.risk_score > 0 ? finding.risk_score : default_risk_score(finding.detector);
    v.rule = finding.rule;
    v.rule_type = std::string(vocab::kRuleTypeCryptomining);
    v.feed = finding.feed;
    v.detector = std::string(detector_name(finding.detector));
    v.evidence = finding.evidence;
    return v;
}

}  // namespace minewall::policy
