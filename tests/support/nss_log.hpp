#pragma once
// Reading the splunk-preset NSS web log a test's minewall wrote: one record per line,
// tab-separated key=value pairs.
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/child_process.hpp"

namespace minewall::testing {

// The lines of a text, without their newlines.
inline std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
        lines.push_back(line);
    return lines;
}

inline std::vector<std::string> nss_log_lines(const std::string& path) {
    return lines_of(read_file(path));
}

// True when the record has exactly this key=value pair.
inline bool has_pair(const std::string& line, const std::string& pair) {
    return ("\t" + line + "\t").find("\t" + pair + "\t") != std::string::npos;
}

// A weblog configuration writing the splunk preset to path.
inline std::string splunk_log_config(const std::string& path) {
    return "weblog:\n  feeds:\n    - preset: splunk\n      destination: " + path + "\n";
}

}  // namespace minewall::testing
