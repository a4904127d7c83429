#include "weblog/file_sink.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <system_error>

namespace minewall::weblog {
namespace {

std::filesystem::path numbered(const std::filesystem::path& path, unsigned n) {
    return std::filesystem::path(path.string() + "." + std::to_string(n));
}

// Writes all of `data`, retrying on EINTR and short writes. Returns errno or 0.
int write_all(int fd, std::string_view data) {
    while (!data.empty()) {
        const ssize_t n = ::write(fd, data.data(), data.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            return errno;
        }
        data.remove_prefix(static_cast<std::size_t>(n));
    }
    return 0;
}

}  // namespace

std::unique_ptr<FileSink> FileSink::open(const FileDestination& destination, std::string& error,
                                         Clock clock) {
    if (destination.path.empty()) {
        error = "file destination has no path";
        return nullptr;
    }
    if (!clock) clock = [] { return std::chrono::system_clock::now(); };
    std::unique_ptr<FileSink> sink(new FileSink(destination, std::move(clock)));
    if (!sink->open_file()) {
        error = sink->last_error_;
        return nullptr;
    }
    return sink;
}

FileSink::FileSink(FileDestination destination, Clock clock)
    : destination_(std::move(destination)), clock_(std::move(clock)) {}

FileSink::~FileSink() {
    close();
}

long FileSink::local_day(std::chrono::system_clock::time_point tp) const {
    const std::time_t t = std::chrono::system_clock::to_time_t(tp);
    std::tm tm{};
    localtime_r(&t, &tm);
    return (tm.tm_year + 1900L) * 1000 + tm.tm_yday;
}

void FileSink::set_error(std::string message) {
    std::lock_guard lock(error_mutex_);
    last_error_ = std::move(message);
}

bool FileSink::open_file() {
    const auto& path = destination_.path;
    if (path.has_parent_path()) {
        std::error_code ec;
        std::filesystem::create_directories(path.parent_path(), ec);
    }
    fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    if (fd_ < 0) {
        set_error("cannot open " + path.string() + ": " + std::strerror(errno));
        return false;
    }
    struct stat st {};
    size_ = ::fstat(fd_, &st) == 0 ? static_cast<std::uint64_t>(st.st_size) : 0;
    // An existing file belongs to the day it was last written, so a restart on a new day
    // still rotates yesterday's lines away.
    day_ = size_ > 0 ? local_day(std::chrono::system_clock::from_time_t(st.st_mtime))
                     : local_day(clock_());
    return true;
}

void FileSink::rotate() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    const auto& path = destination_.path;
    const unsigned keep = destination_.rotation.keep_files;
    std::error_code ec;
    if (keep == 0) {
        std::filesystem::remove(path, ec);
    } else {
        std::filesystem::remove(numbered(path, keep), ec);
        for (unsigned i = keep - 1; i >= 1; --i) {
            if (std::filesystem::exists(numbered(path, i), ec)) {
                std::filesystem::rename(numbered(path, i), numbered(path, i + 1), ec);
            }
        }
        std::filesystem::rename(path, numbered(path, 1), ec);
        if (ec) set_error("rotate " + path.string() + ": " + ec.message());
    }
    open_file();
    day_ = local_day(clock_());
}

void FileSink::write(std::vector<std::string>& lines) {
    if (lines.empty()) return;
    const RotationOptions& rot = destination_.rotation;
    if (rot.daily && size_ > 0 && local_day(clock_()) != day_) rotate();
    // The batch goes out in one write(2), unless it has to be split where max_bytes falls:
    // the file rotates before the line that would pass it, as if records came one by one.
    buffer_.clear();
    std::size_t buffered_lines = 0;
    for (const std::string& line : lines) {
        const std::uint64_t pending = size_ + buffer_.size();
        if (rot.max_bytes > 0 && pending > 0 && pending + line.size() > rot.max_bytes) {
            append_buffer(buffered_lines);
            buffered_lines = 0;
            rotate();
        }
        buffer_.append(line);
        ++buffered_lines;
    }
    append_buffer(buffered_lines);
}

void FileSink::append_buffer(std::size_t lines) {
    if (buffer_.empty()) return;
    if (fd_ < 0 && !open_file()) {
        dropped_ += lines;
    } else if (const int err = write_all(fd_, buffer_); err != 0) {
        // Part of these lines may be on disk; count them as lost and reopen next time.
        set_error("write " + destination_.path.string() + ": " + std::strerror(err));
        dropped_ += lines;
        ::close(fd_);
        fd_ = -1;
    } else {
        size_ += buffer_.size();
        written_ += lines;
    }
    buffer_.clear();
}

void FileSink::reopen() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    open_file();
}

void FileSink::close() {
    if (fd_ >= 0) {
        ::fsync(fd_);
        ::close(fd_);
        fd_ = -1;
    }
}

SinkStats FileSink::stats() const {
    SinkStats s;
    s.written = written_;
    s.dropped = dropped_;
    s.connected = true;
    std::lock_guard lock(error_mutex_);
    s.last_error = last_error_;
    return s;
}

}  // namespace minewall::weblog
