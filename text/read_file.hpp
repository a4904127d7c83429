#pragma once
// Reading a whole file for the loaders of configuration, policy, feeds, identity files and
// CA material. Only a regular file is read: a directory opens like a file on Linux and reads
// as nothing, which an "empty file is valid" loader would accept silently, and a FIFO or a
// device could block or never end. Failures carry the operating system's reason.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <string>

namespace minewall::text {

struct FileText {
    std::optional<std::string> content;  // set when the file was read
    std::string error;                   // why not: "No such file or directory", ...
};

inline FileText read_file(const std::string& path) {
    // O_NONBLOCK: opening a FIFO must not wait for a writer (it is refused just below).
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) return {std::nullopt, std::strerror(errno)};
    auto fail = [fd](std::string why) {
        ::close(fd);
        return FileText{std::nullopt, std::move(why)};
    };
    struct stat st {};
    if (::fstat(fd, &st) != 0) return fail(std::strerror(errno));
    if (S_ISDIR(st.st_mode)) return fail("it is a directory");
    if (!S_ISREG(st.st_mode)) return fail("not a regular file");
    std::string content;
    content.reserve(static_cast<std::size_t>(st.st_size));
    char buffer[65536];
    for (;;) {
        auto n = ::read(fd, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return fail(std::strerror(errno));
        if (n == 0) break;
        content.append(buffer, static_cast<std::size_t>(n));
    }
    ::close(fd);
    return {std::move(content), {}};
}

}  // namespace minewall::text
