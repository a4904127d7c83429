#pragma once
// Waiting for a condition instead of sleeping for a guessed time: polls `condition` every few
// milliseconds until it holds (true) or the deadline passes (false). Shared machines are slow
// at random; a deadline is generous, a poll is quick when things go well.
#include <chrono>
#include <thread>

namespace minewall::testing {

template <class Condition>
bool eventually(Condition condition, std::chrono::milliseconds timeout = std::chrono::seconds(10),
                std::chrono::milliseconds poll = std::chrono::milliseconds(10)) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        if (condition()) return true;
        if (std::chrono::steady_clock::now() >= deadline) return false;
        std::this_thread::sleep_for(poll);
    }
}

}  // namespace minewall::testing
