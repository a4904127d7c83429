#include "policy/user_agent_families.hpp"

#include <array>

#include "policy/regex_set.hpp"

namespace minewall::policy {
namespace {

// Term boundaries as in KQL: anything that is not an ASCII letter or digit.
#define MW_B "(?:^|[^0-9a-z])"
#define MW_E "(?:[^0-9a-z]|$)"

// Public facts: the User-Agent strings these tools send to pools / HTTP endpoints
// (e.g. "XMRig/6.21.0 (Linux x86_64) libuv/1.44.2 gcc/12.2.0", "xmr-stak/2.10.8/...",
// "cpuminer-opt/3.23.1", "SRBMiner-MULTI/2.4.5", "lolMiner 1.76", "NiceHashMiner/3.0.6.5").
constexpr std::array kFamilies{
    UserAgentFamily{"xmrig-proxy", MW_B "xmrig-proxy" MW_E},
    UserAgentFamily{"XMRigCC", MW_B "xmrigcc" MW_E},
    UserAgentFamily{"XMRig", MW_B "xmrig(?:-(?:cuda|nvidia|amd|opencl|mo))?" MW_E},
    UserAgentFamily{"xmr-stak", MW_B "xmr-stak(?:-(?:cpu|rx|amd|nvidia))?" MW_E},
    UserAgentFamily{"cpuminer-opt", MW_B "cpuminer-(?:opt|gr|multi|rkz)" MW_E},
    UserAgentFamily{"cpuminer", MW_B "cpuminer" MW_E},
    UserAgentFamily{"minerd", MW_B "minerd" MW_E},
    UserAgentFamily{"ccminer", MW_B "ccminer" MW_E},
    UserAgentFamily{"cgminer", MW_B "cgminer" MW_E},
    UserAgentFamily{"bfgminer", MW_B "bfgminer" MW_E},
    UserAgentFamily{"sgminer", MW_B "sgminer" MW_E},
    UserAgentFamily{"SRBMiner", MW_B "srbminer(?:-multi)?" MW_E},
    UserAgentFamily{"TeamRedMiner", MW_B "teamredminer" MW_E},
    UserAgentFamily{"lolMiner", MW_B "lolminer" MW_E},
    UserAgentFamily{"NBMiner", MW_B "nbminer" MW_E},
    UserAgentFamily{"PhoenixMiner", MW_B "phoenixminer" MW_E},
    UserAgentFamily{"T-Rex", MW_B "t-rex(?:[ /]?miner)?/[0-9]"},
    UserAgentFamily{"Claymore", MW_B "claymore" MW_E},
    UserAgentFamily{"ethminer", MW_B "ethminer" MW_E},
    UserAgentFamily{"nanominer", MW_B "nanominer" MW_E},
    UserAgentFamily{"GMiner", MW_B "gminer" MW_E},
    UserAgentFamily{"NiceHash", MW_B "nicehash(?:miner|[ _-]?quickminer)?" MW_E},
    UserAgentFamily{"excavator", MW_B "excavator/[0-9]"},
    UserAgentFamily{"BzMiner", MW_B "bzminer" MW_E},
    UserAgentFamily{"WildRig", MW_B "wildrig(?:-multi)?" MW_E},
    UserAgentFamily{"Bminer", MW_B "bminer" MW_E},
    UserAgentFamily{"EWBF", MW_B "ewbf" MW_E},
    UserAgentFamily{"CryptoDredge", MW_B "cryptodredge" MW_E},
    UserAgentFamily{"z-enemy", MW_B "z-enemy" MW_E},
    UserAgentFamily{"MinerGate", MW_B "minergate" MW_E},
    UserAgentFamily{"hellminer", MW_B "hellminer" MW_E},
    UserAgentFamily{"CudoMiner", MW_B "cudo ?miner" MW_E},
    UserAgentFamily{"Kryptex", MW_B "kryptex" MW_E},
    UserAgentFamily{"cast-xmr", MW_B "cast[ _-]xmr" MW_E},
    UserAgentFamily{"JCE-miner", MW_B "jce[ _-]cn[ _-](?:cpu|gpu)[ _-]miner" MW_E},
};

#undef MW_B
#undef MW_E

bool alnum(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

}  // namespace

std::span<const UserAgentFamily> builtin_user_agent_families() {
    return kFamilies;
}

std::string has_term_pattern(std::string_view term) {
    std::string p;
    if (!term.empty() && alnum(term.front())) p += "(?:^|[^0-9A-Za-z])";
    p += quote_regex(term);
    if (!term.empty() && alnum(term.back())) p += "(?:[^0-9A-Za-z]|$)";
    return p;
}

std::string user_agent_threat_name(std::string_view family_or_term) {
    std::string name = "CoinMiner.UA.";
    for (char c : family_or_term) {
        bool keep = alnum(c) || c == '.' || c == '_' || c == '-';
        name.push_back(keep ? c : '_');
    }
    return name;
}

}  // namespace minewall::policy
