#include "policy/browser_miner_signatures.hpp"

#include <algorithm>

namespace minewall::policy {
namespace {

constexpr std::string_view kCoinHive = "CoinMiner.JS.CoinHive";
constexpr std::string_view kCryptoLoot = "CoinMiner.JS.CryptoLoot";
constexpr std::string_view kDeepMiner = "CoinMiner.JS.deepMiner";
constexpr std::string_view kCoinImp = "CoinMiner.JS.CoinImp";
constexpr std::string_view kWebMinePool = "CoinMiner.JS.WebMinePool";
constexpr std::string_view kCrypta = "CoinMiner.JS.Crypta";
constexpr std::string_view kJseCoin = "CoinMiner.JS.JSEcoin";
constexpr std::string_view kWebMinerPool = "CoinMiner.JS.WebMinerPool";
constexpr std::string_view kCryptoNight = "CoinMiner.JS.CryptoNight";

// Public embed snippets and library names of the browser miners (their own documentation and the
// NoCoin list). Keep literals short: the longest one sets the chunk overlap.
const std::vector<MinerSignature>& catalog() {
    constexpr auto S = SignatureStrength::Strong;
    constexpr auto C = SignatureStrength::Call;
    constexpr auto X = SignatureStrength::Context;
    static const std::vector<MinerSignature> kCatalog{
        // CoinHive (2017-2019) and AuthedMine, its opt-in variant.
        {"CoinHive.Anonymous", true, S, kCoinHive},
        {"CoinHive.User(", true, S, kCoinHive},
        {"CoinHive.Token(", true, S, kCoinHive},
        {"coinhive.min.js", false, S, kCoinHive},
        {"coinhive.com/lib", false, S, kCoinHive},
        {"coin-hive.com/lib", false, S, kCoinHive},
        {"authedmine.min.js", false, S, kCoinHive},
        // Crypto-Loot.
        {"CryptoLoot.Anonymous", true, S, kCryptoLoot},
        {"CRLT.Anonymous(", true, S, kCryptoLoot},
        {"crypto-loot.com/lib", false, S, kCryptoLoot},
        // deepMiner (open-source CoinHive clone).
        {"deepMiner.Anonymous", true, S, kDeepMiner},
        {"deepMiner.Init(", true, S, kDeepMiner},
        {"deepminer.min.js", false, S, kDeepMiner},
        {"deepminer.js", false, S, kDeepMiner},
        // CoinImp: `var _client = new Client.Anonymous('<key>', {throttle: 0});`
        {"new Client.Anonymous(", true, S, kCoinImp},
        {"coinimp.com/scripts", false, S, kCoinImp},
        // WebMinePool.
        {"WMP.Anonymous(", true, S, kWebMinePool},
        {"webminepool.com/lib", false, S, kWebMinePool},
        // Crypta and JSEcoin loaders.
        {"crypta.js", false, S, kCrypta},
        {"load.jsecoin.com", false, S, kJseCoin},
        {"jsecoin.com/server", false, S, kJseCoin},
        // webminerpool (open-source miner server + script).
        {"webmr.js", false, S, kWebMinerPool},
        // CryptoNight WebAssembly and its emscripten glue.
        {"cryptonight.wasm", false, S, kCryptoNight},
        {"cryptonight_hash", false, S, kCryptoNight},
        {"cryptonight-worker", false, S, kCryptoNight},

        // Generic miner API calls (need company) and context words (never alone).
        {"miner.start(", false, C, kGenericJsMiner},
        {".setThrottle(", true, C, kGenericJsMiner},
        {"getHashesPerSecond(", true, C, kGenericJsMiner},
        {"getTotalHashes(", true, C, kGenericJsMiner},
        {"getAcceptedHashes(", true, C, kGenericJsMiner},
        {"startMining(", true, C, kGenericJsMiner},
        {"throttleMiner", true, C, kGenericJsMiner},
        {"site_key", false, X, kGenericJsMiner},
        {"stratum+tcp://", false, X, kGenericJsMiner},
        {"coinhive", false, X, kGenericJsMiner},
        {"cryptonight", false, X, kGenericJsMiner},
        {"monero", false, X, kGenericJsMiner},
        {"hashrate", false, X, kGenericJsMiner},
    };
    return kCatalog;
}

}  // namespace

BrowserMinerSignatures::BrowserMinerSignatures() : signatures_(catalog()) {
    for (const auto& s : signatures_) {
        set_.add(s.literal, s.case_sensitive);
        longest_ = std::max(longest_, s.literal.size());
    }
    set_.compile();
}

void BrowserMinerSignatures::match(std::string_view text, std::vector<int>& out) const {
    set_.match(text, out);
}

const BrowserMinerSignatures& builtin_browser_miner_signatures() {
    static const BrowserMinerSignatures kSignatures;
    return kSignatures;
}

}  // namespace minewall::policy
