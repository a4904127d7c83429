#pragma once
// Detects edits to the policy file and its local feed files by polling modification time and
// size; the proxy calls PolicyStore::reload_if_changed() on a timer (e.g. every 2 s).
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace minewall::policy {

class FileChangeWatcher {
  public:
    // Records the current state of `paths` (missing files included).
    void watch(std::vector<std::string> paths);
    // True when any watched file appeared, disappeared, or changed mtime or size since watch().
    bool changed() const;
    const std::vector<std::string>& paths() const { return paths_; }

  private:
    struct State {
        bool exists = false;
        std::filesystem::file_time_type mtime{};
        std::uintmax_t size = 0;
        bool operator==(const State&) const = default;
    };
    static State stat(const std::string& path);
    std::vector<std::string> paths_;
    std::vector<State> states_;
};

}  // namespace minewall::policy
