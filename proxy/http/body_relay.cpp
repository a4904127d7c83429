#include "proxy/http/body_relay.hpp"

#include <optional>

namespace minewall::proxy {

namespace {

RelayOutcome::Failure classify_read_error(const error_code& ec) {
    if (ec == beast::error::timeout) return RelayOutcome::Failure::ReadTimeout;
    // Errors of the http category are framing errors in the body (bad chunk, short body).
    if (ec.category() == http::make_error_code(http::error::bad_chunk).category() &&
        ec != http::error::partial_message && ec != http::error::end_of_stream)
        return RelayOutcome::Failure::BadBody;
    return RelayOutcome::Failure::ReadError;
}

}  // namespace

template <bool isRequest>
awaitable<RelayOutcome> relay_body(ByteStream& input, beast::flat_buffer& input_buffer,
                                   http::parser<isRequest, http::buffer_body>& parser,
                                   ByteStream& output,
                                   http::serializer<isRequest, http::buffer_body>& serializer,
                                   std::chrono::milliseconds read_timeout,
                                   std::chrono::milliseconds write_timeout,
                                   std::span<char> scratch) {
    RelayOutcome outcome;
    auto& body = parser.get().body();
    if (parser.is_done() && serializer.is_done()) co_return outcome;
    std::optional<WideReads> wide;
    // One element per read: an eager parser (http::async_read turns it on) would go on to the
    // next chunk header after a chunk's data and wait for it while the data sat here.
    parser.eager(false);
    // Gathering waits only for bytes that are already on their way. With chunked framing, bytes
    // waiting on the stream may be just the CRLF or size line before a chunk that is yet to
    // come, so each chunk is passed on as it arrives.
    const bool gather = !parser.chunked();
    do {
        if (!parser.is_done()) {
            body.data = scratch.data();
            body.size = scratch.size();
            // Reads until the buffer is full or nothing more is waiting: a fast body leaves in
            // large writes, while a trickling one (server-sent events, progress output, a long
            // poll) is passed on as soon as a piece arrives instead of after 64 KiB.
            do {
                if (!wide && outcome.body_bytes + (scratch.size() - body.size) > 0)
                    wide.emplace(input_buffer);  // more than one read: a body worth it
                input.transport().expires_after(read_timeout);
                auto [ec, n] =
                    co_await http::async_read_some(input, input_buffer, parser, use_tuple);
                if (ec == http::error::need_buffer) ec = {};
                if (ec) {
                    outcome.failure = classify_read_error(ec);
                    outcome.error = ec;
                    co_return outcome;
                }
                // What is left in input_buffer is framing the parser cannot finish yet (the
                // CRLF before the next chunk header): only new bytes on the stream count.
            } while (gather && !parser.is_done() && body.size > 0 && input.input_ready());
            body.size = scratch.size() - body.size;
            body.data = scratch.data();
            body.more = !parser.is_done();
            // A read that only completed framing (a chunk header, say) has nothing to pass on,
            // and an empty piece would go out as the chunked body's last chunk.
            if (body.size == 0 && body.more) continue;
        } else {
            body.data = nullptr;
            body.size = 0;
            body.more = false;  // lets the serializer finish (e.g. the last chunk)
        }
        outcome.body_bytes += body.size;
        output.transport().expires_after(write_timeout);
        auto [ec, n] = co_await http::async_write(output, serializer, use_tuple);
        if (ec == http::error::need_buffer) ec = {};
        if (ec) {
            outcome.failure = ec == beast::error::timeout ? RelayOutcome::Failure::WriteTimeout
                                                          : RelayOutcome::Failure::WriteError;
            outcome.error = ec;
            co_return outcome;
        }
    } while (!parser.is_done() || !serializer.is_done());
    input.transport().expires_never();
    output.transport().expires_never();
    co_return outcome;
}

template awaitable<RelayOutcome> relay_body<true>(ByteStream&, beast::flat_buffer&,
                                                  http::parser<true, http::buffer_body>&,
                                                  ByteStream&,
                                                  http::serializer<true, http::buffer_body>&,
                                                  std::chrono::milliseconds,
                                                  std::chrono::milliseconds, std::span<char>);
template awaitable<RelayOutcome> relay_body<false>(ByteStream&, beast::flat_buffer&,
                                                   http::parser<false, http::buffer_body>&,
                                                   ByteStream&,
                                                   http::serializer<false, http::buffer_body>&,
                                                   std::chrono::milliseconds,
                                                   std::chrono::milliseconds, std::span<char>);

}  // namespace minewall::proxy
