#include "identity/strike_counter.hpp"

#include <algorithm>

namespace minewall::identity {

bool StrikeCounter::strike(std::string_view key, const Rule& rule, Clock::time_point now) {
    std::lock_guard lock(mutex_);
    prune(now, rule.window);
    auto& state = keys_[std::string(key)];
    if (state.penalty_until > now) return false;  // already in its penalty period
    auto& times = state.strikes;
    times.erase(times.begin(), std::find_if(times.begin(), times.end(),
                                            [&](auto t) { return now - t < rule.window; }));
    times.push_back(now);
    if (times.size() < rule.strikes) return false;
    times.clear();
    state.penalty_until = now + rule.penalty;
    return true;
}

std::chrono::milliseconds StrikeCounter::penalty_left(std::string_view key,
                                                      Clock::time_point now) const {
    std::lock_guard lock(mutex_);
    if (keys_.empty()) return {};
    auto it = keys_.find(key);
    if (it == keys_.end() || it->second.penalty_until <= now) return {};
    return std::chrono::ceil<std::chrono::milliseconds>(it->second.penalty_until - now);
}

void StrikeCounter::clear(std::string_view key) {
    std::lock_guard lock(mutex_);
    keys_.erase(std::string(key));
}

void StrikeCounter::prune(Clock::time_point now, std::chrono::milliseconds window) {
    if (now < next_prune_) return;
    next_prune_ = now + window;
    std::erase_if(keys_, [&](const auto& item) {
        const auto& state = item.second;
        return state.penalty_until <= now &&
               (state.strikes.empty() || now - state.strikes.back() >= window);
    });
}

}  // namespace minewall::identity
