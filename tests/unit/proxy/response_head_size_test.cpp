#include "proxy/http/response_head_size.hpp"

#include <doctest/doctest.h>

#include <boost/beast/http.hpp>
#include <sstream>

namespace http = boost::beast::http;
using minewall::proxy::serialized_head_bytes;

namespace {

// What Beast's serializer really writes for the head.
std::size_t beast_head_bytes(const http::response_header<>& head) {
    std::ostringstream out;
    out << head;
    return out.str().size();
}

}  // namespace

TEST_CASE("serialized_head_bytes matches what Beast writes") {
    SUBCASE("standard reason, several fields, chunked") {
        http::response<http::empty_body> res{http::status::ok, 11};
        res.set(http::field::server, "nginx");
        res.set(http::field::content_type, "text/html; charset=utf-8");
        res.insert("Set-Cookie", "a=1");
        res.insert("Set-Cookie", "b=2; Path=/");
        res.chunked(true);
        CHECK(serialized_head_bytes(res.base()) == beast_head_bytes(res.base()));
    }
    SUBCASE("custom reason and an HTTP/1.0 version") {
        http::response<http::empty_body> res{http::status::not_found, 10};
        res.reason("Nothing Here At All");
        res.set("X-Empty", "");
        CHECK(serialized_head_bytes(res.base()) == beast_head_bytes(res.base()));
    }
    SUBCASE("a status code Beast has no text for") {
        http::response<http::empty_body> res;
        res.result(299);
        res.version(11);
        CHECK(serialized_head_bytes(res.base()) == beast_head_bytes(res.base()));
    }
    SUBCASE("no fields at all") {
        http::response<http::empty_body> res{http::status::no_content, 11};
        CHECK(serialized_head_bytes(res.base()) ==
              std::string("HTTP/1.1 204 No Content\r\n\r\n").size());
        CHECK(serialized_head_bytes(res.base()) == beast_head_bytes(res.base()));
    }
}
