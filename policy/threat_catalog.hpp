#pragma once
// The names and NSS vocabulary the policy writes into verdicts, in one place so every detector
// labels its findings the same way. Values follow the NSS web-log vocabulary where one exists
// (shared/reference/nss-web/README.md §4).
#include <string_view>

#include "policy/verdict.hpp"

namespace minewall::policy {

// One entry per detector; each has its own counter (see PolicyCounters).
enum class Detector {
    PoolHost,   // host / SNI in a domain feed or rule
    PoolIp,     // IP-literal destination in an IP feed or rule
    MinerUrl,   // URL matched a URL pattern (Adblock rule, rule regex, built-in path)
    UserAgent,  // User-Agent of mining software
    Stratum,    // stratum / mining JSON-RPC in tunnel bytes or a POST body
    Content,    // browser-miner JavaScript / HTML signatures
    Wasm,       // WebAssembly module exporting CryptoNight-style functions
    WebSocket,  // pool protocol messages inside WebSocket frames
    Client,     // rule that matched on the client address alone
};
inline constexpr int kDetectorCount = 9;

std::string_view detector_name(Detector detector);

namespace vocab {
inline constexpr std::string_view kReasonAllowed = "Allowed";
inline constexpr std::string_view kReasonCryptomining = "IPS block: Cryptomining traffic";
// NSS renamed "Crypto Mining" to this Advanced Threat Category in 2021.
inline constexpr std::string_view kCategoryCryptomining = "Cryptomining & Blockchain";
inline constexpr std::string_view kSuperCategorySecurity = "Security";
inline constexpr std::string_view kClassSecurityRisk = "Advanced Security Risk";
inline constexpr std::string_view kCategoryUnknown = "Miscellaneous or Unknown";
inline constexpr std::string_view kSuperCategoryMisc = "Miscellaneous";
inline constexpr std::string_view kClassMisc = "Miscellaneous";
inline constexpr std::string_view kThreatCategory = "Cryptomining";
// NSS "Threat Class" filter values are Advanced Threats / Sandbox / Viruses & Spyware; crypto
// mining is an Advanced Threat Protection category.
inline constexpr std::string_view kThreatClass = "Advanced Threats";
inline constexpr std::string_view kRuleTypeCryptomining = "Cryptomining";
inline constexpr std::string_view kFeedBuiltin = "builtin";
inline constexpr std::string_view kFeedPolicy = "policy";
}  // namespace vocab

namespace threat {
inline constexpr std::string_view kPool = "CoinMiner.Pool";
inline constexpr std::string_view kUrl = "CoinMiner.URL";
inline constexpr std::string_view kStratum = "CoinMiner.Stratum";
inline constexpr std::string_view kGetWork = "CoinMiner.GetWork";
inline constexpr std::string_view kWebSocketPool = "CoinMiner.WebSocket.Pool";
inline constexpr std::string_view kWasmCryptoNight = "CoinMiner.WASM.CryptoNight";
}  // namespace threat

// Risk scores (0..100, NSS page risk; 90+ renders as threatseverity Critical).
int default_risk_score(Detector detector);

// What a detector found, before the policy turns it into a verdict. Views: a Finding lives only
// for the threat_verdict() call that copies it into the Verdict (one copy, not two).
struct Finding {
    Detector detector = Detector::PoolHost;
    std::string_view threat_name;
    std::string_view evidence;
    std::string_view rule;
    std::string_view feed;
    int risk_score = 0;
};

// A blocking verdict (or, with monitor=true, the would-block verdict that is allowed).
Verdict threat_verdict(const Finding& finding, bool monitor);

}  // namespace minewall::policy
