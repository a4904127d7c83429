#pragma once
// Counts strikes (failures) per key within a sliding window; `strikes` of them within `window`
// put the key in a penalty period (pinned-app relief: splice the host; failed proxy logins:
// refuse the client). Pure and thread-safe: one mutex; a check takes it briefly and allocates
// nothing. Keys with nothing recent are pruned so random keys cannot pile up.
#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace minewall::identity {

class StrikeCounter {
  public:
    using Clock = std::chrono::steady_clock;

    struct Rule {
        unsigned strikes = 3;
        std::chrono::milliseconds window{60'000};
        std::chrono::milliseconds penalty{60'000};
    };

    // Adds a strike for key. True when this strike started a penalty period.
    bool strike(std::string_view key, const Rule& rule, Clock::time_point now = Clock::now());

    // How long key's penalty period still runs; zero when it is not in one.
    std::chrono::milliseconds penalty_left(std::string_view key,
                                           Clock::time_point now = Clock::now()) const;

    // Ends key's penalty and forgets its strikes (e.g. after a successful login).
    void clear(std::string_view key);

  private:
    struct KeyState {
        std::vector<Clock::time_point> strikes;  // within the window, oldest first
        Clock::time_point penalty_until{};
    };
    void prune(Clock::time_point now, std::chrono::milliseconds window);

    // Transparent, so checks look a string_view up without building a std::string.
    struct KeyHash {
        using is_transparent = void;
        std::size_t operator()(std::string_view key) const {
            return std::hash<std::string_view>{}(key);
        }
    };

    mutable std::mutex mutex_;
    std::unordered_map<std::string, KeyState, KeyHash, std::equal_to<>> keys_;
    Clock::time_point next_prune_{};
};

}  // namespace minewall::identity
