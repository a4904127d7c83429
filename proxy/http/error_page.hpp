#pragma once
// The small responses minewall itself generates (errors, refusals): status, content type and
// body. HTML for browsers, plain text for everything else. Pure.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace minewall::proxy {

struct GeneratedResponse {
    int status = 500;
    std::string content_type;
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;  // extra, e.g. Proxy-Authenticate
};

// Owns its text: error paths are rare, and views into temporaries would dangle across the
// suspension points of the coroutines that send these.
struct ErrorDetails {
    int status = 502;
    std::string title;   // "Bad Gateway"
    std::string host;    // the host the client asked for (may be empty)
    std::string reason;  // "connection refused by 127.0.0.1:9"
    std::string transaction_id;
};

// wants_html: the client's Accept header mentions text/html.
GeneratedResponse render_error_response(const ErrorDetails& details, bool wants_html);

bool accepts_html(std::string_view accept_header);

std::string html_escape(std::string_view text);

// The reason phrase of the statuses a failed origin or request produces (400, 504, 508);
// "Bad Gateway" for any other.
const char* upstream_error_title(int status);

}  // namespace minewall::proxy
