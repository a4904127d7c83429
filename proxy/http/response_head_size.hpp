#pragma once
// The size of a response head exactly as Beast's serializer writes it. The head can then go out
// in one write (one TLS record, one send) with the first body bytes and still be counted on
// its own in the web log (respheadersize).
#include <boost/beast/http/message.hpp>
#include <cstddef>

namespace minewall::proxy {

template <class Fields>
std::size_t serialized_head_bytes(const boost::beast::http::header<false, Fields>& head) {
    // "HTTP/1.1 200 " (13), the reason (Beast's standard text when none is set), CRLF; then
    // "name: value" CRLF per field; then the CRLF that ends the head.
    std::size_t bytes = 13 + head.reason().size() + 2;
    for (const auto& field : head)
        bytes += field.name_string().size() + 2 + field.value().size() + 2;
    return bytes + 2;
}

}  // namespace minewall::proxy
