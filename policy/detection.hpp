#pragma once
// The three-way answer of a detector that looks at a growing prefix of a byte stream.
#include <string>

namespace minewall::policy {

enum class ScanStatus {
    NeedMore,  // undecided: call again with more bytes (up to the caller's limit)
    NoMatch,   // decided: not this protocol / no miner
    Match,     // decided: miner found
};

struct Detection {
    ScanStatus status = ScanStatus::NoMatch;
    std::string threat_name;  // set on Match, e.g. CoinMiner.Stratum
    std::string evidence;     // e.g. "mining.subscribe (stratum)"
};

}  // namespace minewall::policy
