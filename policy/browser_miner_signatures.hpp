#pragma once
// Text signatures of browser miners in HTML/JavaScript (CoinHive and its clones, CryptoLoot,
// deepMiner, CoinImp, WebMinePool, JSEcoin, webminerpool, CryptoNight glue code), compiled once
// into a single LiteralSet (one skipping pass; no regex engine). Strong signatures decide alone; a
// generic miner API call such as `miner.start(` counts only together with a second call or a
// context word (`coinhive`, `site_key` ...), and context words never count alone: a news article
// about CoinHive that mentions CryptoNight does not match.
#include <string>
#include <string_view>
#include <vector>

#include "policy/literal_set.hpp"

namespace minewall::policy {

enum class SignatureStrength {
    Strong,   // decides alone
    Call,     // a miner API call: needs a second Call or a Context
    Context,  // a word that only supports a Call
};

struct MinerSignature {
    std::string_view literal;
    bool case_sensitive = true;
    SignatureStrength strength = SignatureStrength::Strong;
    std::string_view threat_name;  // CoinMiner.JS.<family>
};

class BrowserMinerSignatures {
  public:
    BrowserMinerSignatures();
    // Signature indices found in `text`, ascending (into `out`).
    void match(std::string_view text, std::vector<int>& out) const;
    const MinerSignature& at(int index) const {
        return signatures_[static_cast<std::size_t>(index)];
    }
    std::size_t size() const { return signatures_.size(); }
    // Longest literal: a scan must carry this many bytes minus one across chunk boundaries.
    std::size_t longest() const { return longest_; }

  private:
    std::vector<MinerSignature> signatures_;
    LiteralSet set_;
    std::size_t longest_ = 0;
};

const BrowserMinerSignatures& builtin_browser_miner_signatures();

inline constexpr std::string_view kGenericJsMiner = "CoinMiner.JS.Generic";

}  // namespace minewall::policy
