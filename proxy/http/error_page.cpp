#include "proxy/http/error_page.hpp"

namespace minewall::proxy {

std::string html_escape(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            case '\'':
                out += "&#39;";
                break;
            default:
                out += c;
        }
    }
    return out;
}

bool accepts_html(std::string_view accept) {
    return accept.find("text/html") != std::string_view::npos;
}

GeneratedResponse render_error_response(const ErrorDetails& d, bool wants_html) {
    GeneratedResponse r;
    r.status = d.status;
    const std::string status_line = std::to_string(d.status) + " " + d.title;
    if (wants_html) {
        r.content_type = "text/html; charset=utf-8";
        r.body = "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>" +
                 html_escape(status_line) +
                 "</title></head>\n<body style=\"font-family:sans-serif;margin:2em\">\n<h1>" +
                 html_escape(status_line) + "</h1>\n";
        if (!d.host.empty()) r.body += "<p>Host: <b>" + html_escape(d.host) + "</b></p>\n";
        r.body += "<p>" + html_escape(d.reason) + "</p>\n";
        if (!d.transaction_id.empty())
            r.body += "<p><small>minewall transaction " + html_escape(d.transaction_id) +
                      "</small></p>\n";
        r.body += "</body></html>\n";
    } else {
        r.content_type = "text/plain; charset=utf-8";
        r.body = status_line + "\n";
        if (!d.host.empty()) r.body += "host: " + d.host + "\n";
        r.body += "reason: " + d.reason + "\n";
        if (!d.transaction_id.empty()) r.body += "transaction: " + d.transaction_id + "\n";
    }
    return r;
}

const char* upstream_error_title(int status) {
    switch (status) {
        case 400:
            return "Bad Request";
        case 504:
            return "Gateway Timeout";
        case 508:
            return "Loop Detected";
        default:
            return "Bad Gateway";
    }
}

}  // namespace minewall::proxy
