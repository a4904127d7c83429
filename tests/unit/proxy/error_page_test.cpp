#include "proxy/http/error_page.hpp"

#include <doctest/doctest.h>

using namespace minewall::proxy;

TEST_CASE("browsers get an HTML page that names host and reason") {
    auto r = render_error_response({502, "Bad Gateway", "example.com", "connection refused", "t-1"},
                                   accepts_html("text/html,application/xhtml+xml;q=0.9"));
    CHECK(r.status == 502);
    CHECK(r.content_type == "text/html; charset=utf-8");
    CHECK(r.body.find("<h1>502 Bad Gateway</h1>") != std::string::npos);
    CHECK(r.body.find("example.com") != std::string::npos);
    CHECK(r.body.find("connection refused") != std::string::npos);
    CHECK(r.body.find("t-1") != std::string::npos);
    CHECK(r.body.find("http") == std::string::npos);  // no external assets
}

TEST_CASE("other clients get plain text") {
    auto r =
        render_error_response({504, "Gateway Timeout", "h", "too slow", ""}, accepts_html("*/*"));
    CHECK(r.content_type == "text/plain; charset=utf-8");
    CHECK(r.body == "504 Gateway Timeout\nhost: h\nreason: too slow\n");
}

TEST_CASE("hostile text is escaped in HTML pages") {
    auto r =
        render_error_response({400, "Bad Request", "<script>x</script>", "a&b \"q\"", ""}, true);
    CHECK(r.body.find("<script>") == std::string::npos);
    CHECK(r.body.find("&lt;script&gt;") != std::string::npos);
    CHECK(r.body.find("a&amp;b &quot;q&quot;") != std::string::npos);
}
