#pragma once
#include <fstream>
#include <sstream>
#include <string>

namespace minewall::policy::test {

inline std::string read_fixture(const std::string& name) {
    std::ifstream in(std::string(MINEWALL_TEST_DATA) + "/" + name, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

}  // namespace minewall::policy::test
