#pragma once
// A feed's disk buffer: records that could not be kept in memory (destination down, or shut
// down before delivery) are appended to <dir>/<feed>.spill and read back in order. The read
// position is kept in <feed>.spill.pos, so a restarted process replays what is left.
// Not thread-safe: DeliveryQueue serialises access.
#include <cstdint>
#include <deque>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace minewall::weblog {

class SpillFile {
  public:
    static std::unique_ptr<SpillFile> open(const std::filesystem::path& dir,
                                           const std::string& feed_name, std::uint64_t max_bytes,
                                           std::string& error);
    ~SpillFile();

    // Appends whole records (each ending in '\n') while they fit under max_bytes; returns
    // how many were stored, in order from `begin`.
    template <typename It>
    std::size_t append(It begin, It end);

    // Moves up to `max_records` / about `max_bytes` unread records into `out`.
    std::size_t read(std::size_t max_records, std::size_t max_bytes, std::vector<std::string>& out);

    // Rewrites the buffer as `front` followed by the unread records.
    std::size_t prepend(const std::vector<std::string>& front);

    std::uint64_t unread_records() const { return unread_records_; }
    std::uint64_t unread_bytes() const { return size_ - read_pos_; }
    const std::filesystem::path& path() const { return path_; }

  private:
    SpillFile(std::filesystem::path path, std::uint64_t max_bytes);
    bool load(std::string& error);
    void save_position();
    std::size_t append_bytes(const std::string& data, std::size_t records);

    std::filesystem::path path_;
    std::filesystem::path pos_path_;
    std::uint64_t max_bytes_;
    int fd_ = -1;
    std::uint64_t size_ = 0;
    std::uint64_t read_pos_ = 0;
    std::uint64_t unread_records_ = 0;
    std::string chunk_;  // read buffer
};

template <typename It>
std::size_t SpillFile::append(It begin, It end) {
    std::string data;
    std::size_t records = 0;
    for (It it = begin; it != end; ++it) {
        if (size_ + data.size() + it->size() > max_bytes_) break;
        data += *it;
        ++records;
    }
    return append_bytes(data, records);
}

}  // namespace minewall::weblog
