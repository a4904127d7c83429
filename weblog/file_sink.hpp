#pragma once
// Appends records to a file (O_APPEND, one write(2) per batch, or one per file when size
// rotation splits the batch), rotating by size and/or daily:
// web.log → web.log.1 → … → web.log.N (N = keep_files, older ones deleted). reopen() closes
// and reopens the path, for external rotation.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "weblog/record_sink.hpp"

namespace minewall::weblog {

struct RotationOptions {
    std::uint64_t max_bytes = 0;  // rotate before a line would pass this size; 0 = never
    bool daily = false;           // rotate at the first write of a new (local) day
    unsigned keep_files = 7;      // rotated files kept: path.1 (newest) .. path.N
};

struct FileDestination {
    std::filesystem::path path;
    RotationOptions rotation;
};

class FileSink final : public RecordSink {
  public:
    using Clock = std::function<std::chrono::system_clock::time_point()>;

    // Opens (creating the file and its directory) or returns nullptr with `error` set.
    static std::unique_ptr<FileSink> open(const FileDestination& destination, std::string& error,
                                          Clock clock = nullptr);
    ~FileSink() override;

    void write(std::vector<std::string>& lines) override;
    void reopen() override;
    void close() override;
    SinkStats stats() const override;

  private:
    FileSink(FileDestination destination, Clock clock);
    bool open_file();
    void rotate();
    // Writes buffer_ (`lines` records) and empties it; counts them written or dropped.
    void append_buffer(std::size_t lines);
    long local_day(std::chrono::system_clock::time_point tp) const;
    void set_error(std::string message);

    FileDestination destination_;
    Clock clock_;
    int fd_ = -1;
    std::uint64_t size_ = 0;
    long day_ = 0;
    std::string buffer_;
    std::atomic<std::uint64_t> written_{0};
    std::atomic<std::uint64_t> dropped_{0};
    mutable std::mutex error_mutex_;
    std::string last_error_;
};

}  // namespace minewall::weblog
