#include "proxy/http/hop_by_hop.hpp"

#include <algorithm>
#include <array>

#include "text/ascii_text.hpp"

namespace minewall::proxy {

namespace {

using text::iequals;
using text::trim;

}  // namespace

std::vector<std::string> connection_option_names(std::string_view value) {
    std::vector<std::string> names;
    while (!value.empty()) {
        auto comma = value.find(',');
        auto token = trim(value.substr(0, comma));
        if (!token.empty()) {
            std::string name(token);
            std::transform(name.begin(), name.end(), name.begin(),
                           [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
            names.push_back(std::move(name));
        }
        if (comma == std::string_view::npos) break;
        value.remove_prefix(comma + 1);
    }
    return names;
}

bool is_hop_by_hop_header(std::string_view name, const std::vector<std::string>& options) {
    // Transfer-Encoding is left in place on purpose: the body is relayed de-chunked and the
    // serializer re-frames it from that header, so it must stay consistent with the body.
    static constexpr std::array<std::string_view, 8> fixed = {
        "connection", "proxy-connection", "keep-alive",          "te",
        "trailer",    "upgrade",          "proxy-authorization", "proxy-authenticate"};
    for (auto h : fixed)
        if (iequals(name, h)) return true;
    for (const auto& o : options)
        if (iequals(name, o)) return true;
    return false;
}

}  // namespace minewall::proxy
