#pragma once
// Recognises one decoded JSON message as mining-pool protocol: Bitcoin stratum (mining.*),
// EthereumStratum/1.0.0, eth-proxy (eth_submitLogin, eth_getWork ...), Monero/xmrig stratum
// (login with pass+agent, getjob, submit, keepalived, job), getwork/getblocktemplate, and the
// browser-miner WebSocket dialects (CoinHive-style {"type":"auth"...}, webminerpool
// {"identifier":"handshake"...}). Ordinary JSON-RPC (eth_blockNumber, a "login" without miner
// fields) is not mining. Internal to the policy detectors.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace minewall::policy {

struct MiningMessage {
    std::string method;   // e.g. "mining.subscribe", "login", "type=auth"
    std::string dialect;  // e.g. "stratum", "EthereumStratum/1.0.0", "monero", "eth-proxy",
                          // "getwork", "coinhive", "webminerpool"
};

std::optional<MiningMessage> classify_mining_message(const nlohmann::json& message);

}  // namespace minewall::policy
