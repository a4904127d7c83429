#include "proxy/http/client_response.hpp"

#include <algorithm>

#include "proxy/http/response_head_size.hpp"
#include "proxy/listen/worker.hpp"

namespace minewall::proxy {

awaitable<bool> send_generated_response(ClientConnection& client, const GeneratedResponse& response,
                                        const ResponseOptions& options, weblog::WebRecord& record) {
    http::response<http::string_body> res{static_cast<http::status>(response.status),
                                          options.version};
    res.set(http::field::server, "minewall");
    res.set(http::field::content_type, response.content_type);
    res.set(http::field::cache_control, "no-store");
    for (const auto& [name, value] : response.headers)
        res.set(name, value);
    res.body() = options.head_request ? std::string() : response.body;
    res.prepare_payload();
    if (options.head_request) res.content_length(response.body.size());
    res.keep_alive(options.keep_alive);

    // Head and body in one write: one TLS record, one send.
    client.stream->transport().expires_after(client.config->client.header_timeout);
    auto [ec, bytes] = co_await http::async_write(*client.stream, res, use_tuple);
    record.status = response.status;
    record.content_type = response.content_type;
    record.response_version = http_version_text(options.version);
    const auto head_bytes = serialized_head_bytes(res.base());
    record.response_header_bytes += std::min<std::size_t>(bytes, head_bytes);
    record.response_body_bytes += bytes > head_bytes ? bytes - head_bytes : 0;
    co_return !ec;
}

GeneratedResponse prepare_error(weblog::WebRecord& record, const ErrorDetails& details,
                                std::string_view accept) {
    if (record.error.empty()) record.error = details.reason;
    return render_error_response(details, accepts_html(accept));
}

}  // namespace minewall::proxy
