#include "proxy/http/via_header.hpp"

namespace minewall::proxy {

std::string via_entry(unsigned http_version, std::string_view pseudonym) {
    std::string out = http_version >= 11 ? "1.1 " : "1.0 ";
    out += pseudonym;
    return out;
}

std::string append_via(std::string_view existing, unsigned http_version,
                       std::string_view pseudonym) {
    std::string entry = via_entry(http_version, pseudonym);
    if (existing.empty()) return entry;
    return std::string(existing) + ", " + entry;
}

bool via_contains_pseudonym(std::string_view via, std::string_view pseudonym) {
    while (!via.empty()) {
        auto comma = via.find(',');
        auto entry = via.substr(0, comma);
        // entry: [protocol-name "/"] protocol-version SP received-by [SP comment]
        auto space = entry.find_first_not_of(' ');
        if (space != std::string_view::npos) {
            entry.remove_prefix(space);
            auto by_start = entry.find(' ');
            if (by_start != std::string_view::npos) {
                auto by = entry.substr(by_start + 1);
                by = by.substr(0, by.find(' '));
                if (by == pseudonym) return true;
            }
        }
        if (comma == std::string_view::npos) break;
        via.remove_prefix(comma + 1);
    }
    return false;
}

}  // namespace minewall::proxy
