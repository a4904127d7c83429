#include "policy/file_change_watcher.hpp"

namespace minewall::policy {

FileChangeWatcher::State FileChangeWatcher::stat(const std::string& path) {
    State s;
    std::error_code ec;
    auto status = std::filesystem::status(path, ec);
    if (ec || !std::filesystem::is_regular_file(status)) return s;
    s.exists = true;
    s.mtime = std::filesystem::last_write_time(path, ec);
    s.size = std::filesystem::file_size(path, ec);
    return s;
}

void FileChangeWatcher::watch(std::vector<std::string> paths) {
    paths_ = std::move(paths);
    states_.clear();
    for (const auto& p : paths_)
        states_.push_back(stat(p));
}

bool FileChangeWatcher::changed() const {
    for (std::size_t i = 0; i < paths_.size(); ++i)
        if (!(stat(paths_[i]) == states_[i])) return true;
    return false;
}

}  // namespace minewall::policy
