// Fuzzes the request-head stage: Beast's parser with our limits, then the target parsing,
// hop-by-hop and Via checks the session applies to a parsed head. Nothing may crash, leak or
// read out of bounds, and a parsed target must round-trip to a consistent authority.
#include <boost/beast/http.hpp>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "proxy/http/hop_by_hop.hpp"
#include "proxy/http/request_target.hpp"
#include "proxy/http/via_header.hpp"

namespace http = boost::beast::http;
using namespace minewall::proxy;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    http::request_parser<http::buffer_body> parser;
    parser.header_limit(65536);
    parser.body_limit(boost::none);
    parser.eager(false);
    boost::system::error_code ec;
    parser.put(boost::asio::buffer(data, size), ec);
    if (ec || !parser.is_header_done()) return 0;

    auto& req = parser.get();
    std::string_view target(req.target().data(), req.target().size());
    if (req.method() == http::verb::connect) {
        if (auto a = parse_authority(target)) {
            if (a->port == 0 || a->host.empty()) std::abort();
            auto again = parse_authority(a->to_string());
            if (!again || again->host != a->host || again->port != a->port) std::abort();
        }
    } else if (auto t = parse_absolute_target(target)) {
        if (t->path.empty() || t->path.front() != '/') std::abort();
        if (t->authority.host.empty()) std::abort();
    }
    auto options = connection_option_names(req[http::field::connection]);
    for (const auto& field : req) {
        std::string_view name(field.name_string().data(), field.name_string().size());
        (void)is_hop_by_hop_header(name, options);
    }
    (void)via_contains_pseudonym(req[http::field::via], "minewall-fuzz");
    return 0;
}
