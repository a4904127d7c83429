#pragma once
// Sending a response minewall generates itself (errors, refusals) to the client.
#include <string>

#include "proxy/http/error_page.hpp"
#include "proxy/session/client_connection.hpp"
#include "weblog/web_record.hpp"

namespace minewall::proxy {

// Beast's version number (10, 11) as the NSS reqversion/respversion fields write it ("1.1").
inline std::string http_version_text(unsigned version) {
    return std::to_string(version / 10) + "." + std::to_string(version % 10);
}

struct ResponseOptions {
    unsigned version = 11;
    bool keep_alive = false;
    bool head_request = false;  // HEAD: headers only
};

// Writes the response; fills status and byte counts in the record. False on a write error.
awaitable<bool> send_generated_response(ClientConnection& client, const GeneratedResponse& response,
                                        const ResponseOptions& options, weblog::WebRecord& record);

// Renders the error page for a request whose Accept header is accept, noting the reason in
// the record. A plain function on purpose: callers keep the result in a named variable before
// co_await, because g++ 12 mis-destroys non-trivial temporaries inside co_await expressions.
GeneratedResponse prepare_error(weblog::WebRecord& record, const ErrorDetails& details,
                                std::string_view accept);

}  // namespace minewall::proxy
