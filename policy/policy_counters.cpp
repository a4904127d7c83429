#include "policy/policy_counters.hpp"

namespace minewall::policy {

FeedCounters& PolicyCounters::feed(const std::string& name) {
    std::lock_guard lock(mutex_);
    auto& slot = feeds_[name];
    if (!slot) slot = std::make_unique<FeedCounters>();
    return *slot;
}

std::vector<PolicyCounters::FeedView> PolicyCounters::feeds() const {
    std::lock_guard lock(mutex_);
    std::vector<FeedView> out;
    for (const auto& [name, c] : feeds_)
        out.push_back({name, c->matches.load(), c->entries.load(), c->issues.load(),
                       c->refresh_ok.load(), c->refresh_failed.load(), c->refresh_rejected.load(),
                       c->loaded_from_cache.load()});
    return out;
}

}  // namespace minewall::policy
