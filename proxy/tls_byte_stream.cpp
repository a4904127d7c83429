#include "proxy/tls_byte_stream.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>

namespace minewall::proxy {

namespace {

// See byte_stream.cpp: a plain callable carrying the caller's cancellation slot.
auto plain_callable(ByteStream::Handler handler) {
    auto slot = asio::get_associated_cancellation_slot(handler);
    return asio::bind_cancellation_slot(
        slot,
        [h = std::move(handler)](error_code ec, std::size_t n) mutable { std::move(h)(ec, n); });
}

}  // namespace

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
    stream_.async_read_some(buffer, plain_callable(std::move(handler)));
}

void TlsByteStream::write_some(const ConstBuffers& buffers, Handler handler) {
    // SSL_write takes one buffer at a time; write_some may legally write less than asked.
    asio::const_buffer first = buffers.count ? *buffers.begin() : asio::const_buffer();
    stream_.async_write_some(first, plain_callable(std::move(handler)));
}

}  // namespace minewall::proxy
