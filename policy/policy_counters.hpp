#pragma once
// Outcome counters of the policy, shared by every snapshot of one PolicyStore so they survive
// reloads. Hot-path increments are relaxed atomics on pointers resolved when a snapshot is built.
#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "policy/threat_catalog.hpp"

namespace minewall::policy {

using Counter = std::atomic<std::uint64_t>;

struct FeedCounters {
    Counter matches{0};            // verdicts this feed decided
    Counter entries{0};            // usable entries in the current version (gauge)
    Counter issues{0};             // unusable lines in the current version (gauge)
    Counter refresh_ok{0};         // URL feeds: fetched, parsed and taken
    Counter refresh_failed{0};     // fetch failed (network, HTTP status)
    Counter refresh_rejected{0};   // fetched but malformed: the last good version was kept
    Counter loaded_from_cache{0};  // loaded from the on-disk last-good copy
};

struct DetectorCounters {
    Counter blocked{0};    // block verdicts (enforce mode)
    Counter monitored{0};  // would-block verdicts in monitor mode
    Counter allowed{0};    // allow-rule verdicts decided by this matcher
};

class PolicyCounters {
  public:
    Counter decisions{0};
    Counter allowed{0};
    Counter blocked{0};
    Counter monitored{0};
    Counter bypassed{0};
    Counter reloads_ok{0};
    Counter reloads_failed{0};

    DetectorCounters& detector(Detector d) { return detectors_[static_cast<std::size_t>(d)]; }
    const DetectorCounters& detector(Detector d) const {
        return detectors_[static_cast<std::size_t>(d)];
    }

    // Stable for the lifetime of this object (created on first use).
    FeedCounters& feed(const std::string& name);

    struct FeedView {
        std::string name;
        std::uint64_t matches, entries, issues, refresh_ok, refresh_failed, refresh_rejected,
            loaded_from_cache;
    };
    std::vector<FeedView> feeds() const;

  private:
    std::array<DetectorCounters, kDetectorCount> detectors_{};
    mutable std::mutex mutex_;  // guards the map, not the counters
    std::map<std::string, std::unique_ptr<FeedCounters>> feeds_;
};

}  // namespace minewall::policy
