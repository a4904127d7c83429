#pragma once
// Mining software recognised by its User-Agent. Matched by family (any version), case-insensitive,
// on term boundaries so "XMRig/6.21.0 (Linux x86_64)" hits and "xmrigging" does not.
#include <span>
#include <string>
#include <string_view>

namespace minewall::policy {

struct UserAgentFamily {
    std::string_view family;   // threat name suffix: CoinMiner.UA.<family>
    std::string_view pattern;  // RE2, matched case-insensitively against the whole User-Agent
};

// More specific families come first (xmrig-proxy before XMRig): the first match names the threat.
std::span<const UserAgentFamily> builtin_user_agent_families();

// KQL `has_any` semantics for one feed term: case-insensitive, and where the term starts or ends
// with a letter/digit, the neighbouring character must not be one (or be the string edge).
std::string has_term_pattern(std::string_view term);

// "XMRig" -> "CoinMiner.UA.XMRig"; characters other than [A-Za-z0-9._-] become '_'.
std::string user_agent_threat_name(std::string_view family_or_term);

}  // namespace minewall::policy
