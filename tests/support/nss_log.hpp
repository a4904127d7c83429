#pragma once
// Reading the splunk-preset NSS web log a test's minewall wrote: one record per line,
// tab-separated key=value pairs.
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/child_process.hpp"

namespace minewall::testing {

inline std::vector<std::string> nss_log_lines(const std::string& path) {
    std::vector<std::string> lines;
    std::istringstream in(read_file(path));
    for (std::string line; std::getline(in, line);)
        lines.push_back(line);
    return lines;
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
