#pragma once
// Reading a whole file for the loaders of configuration, policy, feeds, identity files and
// CA material. A directory is refused by name: on Linux it opens like a file and reads as
// nothing, which an "empty file is valid" loader would accept silently. Other failures carry
// the operating system's reason.
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>

namespace minewall::text {

struct FileText {
    std::optional<std::string> content;  // set when the file was read
    std::string error;                   // why not: "No such file or directory", ...
};

inline FileText read_file(const std::string& path) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) return {std::nullopt, "it is a directory"};
    std::ifstream in(path, std::ios::binary);
    if (!in) return {std::nullopt, std::strerror(errno)};
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) return {std::nullopt, "read error"};
    return {text.str(), {}};
}

}  // namespace minewall::text
