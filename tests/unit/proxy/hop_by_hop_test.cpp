#include "proxy/http/hop_by_hop.hpp"

#include <doctest/doctest.h>

using namespace minewall::proxy;

TEST_CASE("connection options are split, trimmed and lower-cased") {
    auto names = connection_option_names(" Keep-Alive ,X-Foo,, close ");
    CHECK(names == std::vector<std::string>{"keep-alive", "x-foo", "close"});
    CHECK(connection_option_names("").empty());
}

TEST_CASE("the fixed hop-by-hop headers are recognised in any case") {
    std::vector<std::string> none;
    for (const char* name : {"Connection", "proxy-connection", "KEEP-ALIVE", "TE", "Trailer",
                             "Upgrade", "Proxy-Authorization", "Proxy-Authenticate"})
        CHECK_MESSAGE(is_hop_by_hop_header(name, none), name);
    for (const char* name : {"Host", "Content-Length", "Transfer-Encoding", "Via", "TEX"})
        CHECK_MESSAGE(!is_hop_by_hop_header(name, none), name);
}

TEST_CASE("headers named in Connection are hop-by-hop too") {
    auto options = connection_option_names("close, X-Secret");
    CHECK(is_hop_by_hop_header("x-secret", options));
    CHECK(is_hop_by_hop_header("X-SECRET", options));
    CHECK_FALSE(is_hop_by_hop_header("X-Secret2", options));
}
