#pragma once
// Reading the checked-in fixtures (public NSS samples and formats, see data/PROVENANCE.md).
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace minewall::weblog::test {

inline std::string data_path(const std::string& name) {
    return std::string(MINEWALL_TEST_DATA) + "/" + name;
}

inline std::string read_text(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

inline std::string read_data(const std::string& name) {
    return read_text(data_path(name));
}

inline std::vector<std::string> split_lines(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (!line.empty()) lines.push_back(line);
    }
    return lines;
}

// A published format file without its trailing newline.
inline std::string read_format(const std::string& name) {
    std::string f = read_data("formats/" + name);
    while (!f.empty() && (f.back() == '\n' || f.back() == '\r'))
        f.pop_back();
    return f;
}

}  // namespace minewall::weblog::test
