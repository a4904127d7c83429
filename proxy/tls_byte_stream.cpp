#include "proxy/tls_byte_stream.hpp"

namespace minewall::proxy {

TlsByteStream::TlsByteStream(beast::tcp_stream stream, SSL* ssl)
    : stream_(std::move(stream), ssl) {}

bool TlsByteStream::has_buffered_input() {
    return SSL_pending(stream_.native_handle()) > 0;
}

awaitable<error_code> TlsByteStream::handshake_as_server(asio::const_buffer already_read) {
    auto [ec, used] =
        co_await stream_.async_handshake(asio::ssl::stream_base::server, already_read, use_tuple);
    (void)used;
    co_return ec;
}

awaitable<error_code> TlsByteStream::handshake_as_client() {
    auto [ec] = co_await stream_.async_handshake(asio::ssl::stream_base::client, use_tuple);
    co_return ec;
}

void TlsByteStream::read_some(asio::mutable_buffer buffer, Handler handler) {
    stream_.async_read_some(buffer, cancellable_callable(std::move(handler)));
}

void TlsByteStream::write_some(const ConstBuffers& buffers, Handler handler) {
    // SSL_write takes one buffer at a time; write_some may legally write less than asked.
    asio::const_buffer first = buffers.count ? *buffers.begin() : asio::const_buffer();
    stream_.async_write_some(first, cancellable_callable(std::move(handler)));
}

}  // namespace minewall::proxy
