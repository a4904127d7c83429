#include "policy/mining_message.hpp"

#include <array>
#include <string_view>

namespace minewall::policy {
namespace {

using nlohmann::json;

bool has(const json& object, const char* key) {
    return object.is_object() && object.contains(key);
}

const json* params_object(const json& message) {
    auto it = message.find("params");
    if (it == message.end() || !it->is_object()) return nullptr;
    return &*it;
}

// Bitcoin stratum v1 methods (client and server side), incl. extensions (BIP 310, NiceHash).
constexpr std::array<std::string_view, 17> kStratumMethods{"mining.subscribe",
                                                           "mining.authorize",
                                                           "mining.submit",
                                                           "mining.notify",
                                                           "mining.set_difficulty",
                                                           "mining.set_target",
                                                           "mining.set_extranonce",
                                                           "mining.extranonce.subscribe",
                                                           "mining.configure",
                                                           "mining.suggest_difficulty",
                                                           "mining.suggest_target",
                                                           "mining.get_transactions",
                                                           "mining.multi_version",
                                                           "mining.hashrate",
                                                           "mining.set_version_mask",
                                                           "mining.ping",
                                                           "mining.pong"};

// eth-proxy / Ethereum getwork: these methods exist only for mining.
constexpr std::array<std::string_view, 4> kEthMiningMethods{"eth_submitLogin", "eth_getWork",
                                                            "eth_submitWork", "eth_submitHashrate"};

constexpr std::array<std::string_view, 3> kGetworkMethods{"getwork", "getblocktemplate",
                                                          "submitblock"};

template <std::size_t N>
bool one_of(std::string_view s, const std::array<std::string_view, N>& list) {
    for (auto m : list)
        if (s == m) return true;
    return false;
}

bool ethereum_stratum_subscribe(const json& message) {
    auto it = message.find("params");
    if (it == message.end() || !it->is_array()) return false;
    for (const auto& p : *it)
        if (p.is_string() && p.get_ref<const std::string&>().starts_with("EthereumStratum/"))
            return true;
    return false;
}

std::optional<MiningMessage> by_method(const json& message, const std::string& method) {
    if (one_of(method, kStratumMethods)) {
        if (method == "mining.subscribe" && ethereum_stratum_subscribe(message))
            return MiningMessage{method, "EthereumStratum/1.0.0"};
        return MiningMessage{method, "stratum"};
    }
    if (one_of(method, kEthMiningMethods)) return MiningMessage{method, "eth-proxy"};
    if (one_of(method, kGetworkMethods)) return MiningMessage{method, "getwork"};

    // Monero-style pools (xmrig, xmr-stak): generic method names, so the params must look like a
    // miner's too.
    const json* params = params_object(message);
    if (!params) return std::nullopt;
    if (method == "login" && has(*params, "pass") &&
        (has(*params, "agent") || has(*params, "rigid") || has(*params, "algo")))
        return MiningMessage{method, "monero"};
    if (method == "submit" && has(*params, "job_id") && has(*params, "nonce"))
        return MiningMessage{method, "monero"};
    if ((method == "getjob" || method == "keepalived") && has(*params, "id"))
        return MiningMessage{method, "monero"};
    if (method == "job" && has(*params, "blob") && has(*params, "job_id"))
        return MiningMessage{method, "monero"};
    return std::nullopt;
}

// Pool answers: a Monero login result carries the first job.
std::optional<MiningMessage> by_result(const json& message) {
    auto it = message.find("result");
    if (it == message.end() || !it->is_object()) return std::nullopt;
    auto job = it->find("job");
    if (job != it->end() && job->is_object() && has(*job, "blob") && has(*job, "job_id"))
        return MiningMessage{"result.job", "monero"};
    return std::nullopt;
}

// CoinHive and its clones (CryptoLoot, deepMiner, CoinImp) speak {"type":..., "params":{...}}.
std::optional<MiningMessage> by_type(const json& message, const std::string& type) {
    const json* params = params_object(message);
    if (!params) return std::nullopt;
    if (type == "auth" && has(*params, "site_key")) return MiningMessage{"type=auth", "coinhive"};
    if (type == "submit" && has(*params, "job_id") &&
        (has(*params, "nonce") || has(*params, "result")))
        return MiningMessage{"type=submit", "coinhive"};
    if (type == "job" && has(*params, "blob") && has(*params, "job_id"))
        return MiningMessage{"type=job", "coinhive"};
    if (type == "authed" && has(*params, "token") && has(*params, "hashes"))
        return MiningMessage{"type=authed", "coinhive"};
    return std::nullopt;
}

// webminerpool (open-source browser-miner server): {"identifier":"handshake","pool":...}.
std::optional<MiningMessage> by_identifier(const json& message, const std::string& identifier) {
    if (identifier == "handshake" && has(message, "pool") && has(message, "login"))
        return MiningMessage{"identifier=handshake", "webminerpool"};
    if (identifier == "solved" && has(message, "job_id") && has(message, "nonce"))
        return MiningMessage{"identifier=solved", "webminerpool"};
    if (identifier == "job" && has(message, "blob") && has(message, "job_id"))
        return MiningMessage{"identifier=job", "webminerpool"};
    return std::nullopt;
}

}  // namespace

std::optional<MiningMessage> classify_mining_message(const json& message) {
    if (message.is_array()) {  // JSON-RPC batch
        for (const auto& element : message)
            if (element.is_object())
                if (auto m = classify_mining_message(element)) return m;
        return std::nullopt;
    }
    if (!message.is_object()) return std::nullopt;
    if (auto it = message.find("method"); it != message.end() && it->is_string())
        return by_method(message, it->get_ref<const std::string&>());
    if (auto it = message.find("type"); it != message.end() && it->is_string())
        return by_type(message, it->get_ref<const std::string&>());
    if (auto it = message.find("identifier"); it != message.end() && it->is_string())
        return by_identifier(message, it->get_ref<const std::string&>());
    return by_result(message);
}

}  // namespace minewall::policy
