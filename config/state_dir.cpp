#include <pwd.h>
#include <unistd.h>

#include <cstdlib>

#include "config/config.hpp"

namespace minewall::config {

std::string default_state_dir() {
    if (geteuid() == 0) return "/var/lib/minewall";
    const char* home = std::getenv("HOME");
    if (home == nullptr || *home == '\0') {
        if (const passwd* pw = getpwuid(geteuid())) home = pw->pw_dir;
    }
    return std::string(home ? home : ".") + "/.minewall";
}

}  // namespace minewall::config
