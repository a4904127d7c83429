#include "weblog/spill_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>

namespace minewall::weblog {
namespace {

bool write_all(int fd, const std::string& data) {
    std::size_t done = 0;
    while (done < data.size()) {
        const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        done += static_cast<std::size_t>(n);
    }
    return true;
}

std::string safe_name(const std::string& name) {
    std::string out;
    for (char c : name) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
        out.push_back(ok ? c : '_');
    }
    return out.empty() ? "feed" : out;
}

}  // namespace

std::unique_ptr<SpillFile> SpillFile::open(const std::filesystem::path& dir,
                                           const std::string& feed_name, std::uint64_t max_bytes,
                                           std::string& error) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    std::unique_ptr<SpillFile> file(
        new SpillFile(dir / (safe_name(feed_name) + ".spill"), max_bytes));
    if (!file->load(error)) return nullptr;
    return file;
}

SpillFile::SpillFile(std::filesystem::path path, std::uint64_t max_bytes)
    : path_(std::move(path)), pos_path_(path_.string() + ".pos"), max_bytes_(max_bytes) {}

SpillFile::~SpillFile() {
    if (fd_ >= 0) ::close(fd_);
}

bool SpillFile::load(std::string& error) {
    fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd_ < 0) {
        error = "disk buffer " + path_.string() + ": " + std::strerror(errno);
        return false;
    }
    struct stat st {};
    ::fstat(fd_, &st);
    size_ = static_cast<std::uint64_t>(st.st_size);
    std::ifstream pos(pos_path_);
    std::string text;
    pos >> text;
    std::uint64_t value = 0;
    std::from_chars(text.data(), text.data() + text.size(), value);
    read_pos_ = std::min(value, size_);
    // Count what is left to replay; drop a torn last record (crash mid-append).
    std::string data(size_ - read_pos_, '\0');
    if (!data.empty() && ::pread(fd_, data.data(), data.size(), static_cast<off_t>(read_pos_)) !=
                             static_cast<ssize_t>(data.size())) {
        error = "disk buffer " + path_.string() + ": cannot read";
        return false;
    }
    const std::size_t last_newline = data.rfind('\n');
    const std::uint64_t complete = last_newline == std::string::npos ? 0 : last_newline + 1;
    if (complete < data.size()) {
        if (::ftruncate(fd_, static_cast<off_t>(read_pos_ + complete)) != 0) {
            error = "disk buffer " + path_.string() + ": cannot truncate";
            return false;
        }
        size_ = read_pos_ + complete;
    }
    unread_records_ = static_cast<std::uint64_t>(
        std::count(data.begin(), data.begin() + static_cast<long>(complete), '\n'));
    return true;
}

void SpillFile::save_position() {
    const std::string tmp = pos_path_.string() + ".tmp";
    {
        std::ofstream out(tmp, std::ios::trunc);
        out << read_pos_ << '\n';
    }
    std::error_code ec;
    std::filesystem::rename(tmp, pos_path_, ec);
}

std::size_t SpillFile::append_bytes(const std::string& data, std::size_t records) {
    if (records == 0) return 0;
    if (!write_all(fd_, data)) {
        // Roll back a partial append so the file keeps whole records only.
        if (::ftruncate(fd_, static_cast<off_t>(size_)) != 0) return 0;
        return 0;
    }
    size_ += data.size();
    unread_records_ += records;
    return records;
}

std::size_t SpillFile::read(std::size_t max_records, std::size_t max_bytes,
                            std::vector<std::string>& out) {
    std::size_t taken = 0;
    std::size_t bytes = 0;
    std::size_t floor = 64 * 1024;  // doubled when one record is longer than a chunk
    while (taken < max_records && bytes < max_bytes && read_pos_ < size_) {
        const auto want = static_cast<std::size_t>(
            std::min<std::uint64_t>(std::max(max_bytes - bytes, floor), size_ - read_pos_));
        chunk_.resize(want);
        const ssize_t n = ::pread(fd_, chunk_.data(), want, static_cast<off_t>(read_pos_));
        if (n <= 0) break;
        chunk_.resize(static_cast<std::size_t>(n));
        std::size_t pos = 0;
        while (taken < max_records && bytes < max_bytes) {
            const std::size_t nl = chunk_.find('\n', pos);
            if (nl == std::string::npos) break;
            out.emplace_back(chunk_, pos, nl + 1 - pos);
            bytes += nl + 1 - pos;
            pos = nl + 1;
            ++taken;
        }
        if (pos == 0) {
            if (want >= size_ - read_pos_) break;  // no complete record left (cannot happen)
            floor *= 2;
            continue;
        }
        read_pos_ += pos;
    }
    unread_records_ -= std::min<std::uint64_t>(unread_records_, taken);
    if (read_pos_ >= size_ && size_ > 0 && ::ftruncate(fd_, 0) == 0) {
        // Everything replayed: start the file over.
        size_ = 0;
        read_pos_ = 0;
        unread_records_ = 0;
    }
    if (taken > 0) save_position();
    return taken;
}

std::size_t SpillFile::prepend(const std::vector<std::string>& front) {
    if (front.empty()) return 0;
    std::string rest(size_ - read_pos_, '\0');
    if (!rest.empty() && ::pread(fd_, rest.data(), rest.size(), static_cast<off_t>(read_pos_)) !=
                             static_cast<ssize_t>(rest.size())) {
        return 0;
    }
    std::string data;
    std::size_t records = 0;
    for (const std::string& line : front) {
        if (data.size() + line.size() + rest.size() > max_bytes_) break;
        data += line;
        ++records;
    }
    data += rest;
    const std::string tmp = path_.string() + ".tmp";
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return 0;
    const bool ok = write_all(fd, data) && ::fsync(fd) == 0;
    ::close(fd);
    std::error_code ec;
    if (!ok || (std::filesystem::rename(tmp, path_, ec), ec)) return 0;
    ::close(fd_);
    fd_ = ::open(path_.c_str(), O_RDWR | O_APPEND | O_CLOEXEC);
    size_ = data.size();
    read_pos_ = 0;
    unread_records_ += records;
    save_position();
    return records;
}

}  // namespace minewall::weblog
