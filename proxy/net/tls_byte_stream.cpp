#include "proxy/net/tls_byte_stream.hpp"

#include <algorithm>

namespace minewall::proxy {

TlsByteStream::TlsByteStream(beast::tcp_stream stream, SSL* ssl)
    : stream_(std::move(stream), ssl) {}

bool TlsByteStream::has_buffered_input() {
    return SSL_pending(stream_.native_handle()) > 0;
}

bool TlsByteStream::input_ready() {
    SSL* ssl = stream_.native_handle();
    return SSL_pending(ssl) > 0 || BIO_ctrl_pending(SSL_get_rbio(ssl)) > 0 ||
           ByteStream::input_ready();
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
    // SSL_write takes one buffer at a time, and each call becomes its own TLS record and
    // sendmsg: a response head of 13 small field buffers would cost 13 records. Small pieces
    // are gathered into one record-sized buffer instead (write_some may write less than asked;
    // the count returned covers the gathered prefix of the sequence).
    asio::const_buffer first = buffers.count ? *buffers.begin() : asio::const_buffer();
    if (buffers.count <= 1 || first.size() >= max_record_bytes) {
        stream_.async_write_some(first, cancellable_callable(std::move(handler)));
        return;
    }
    gathered_.clear();
    for (const auto& b : buffers) {
        std::size_t take = std::min(b.size(), max_record_bytes - gathered_.size());
        const char* data = static_cast<const char*>(b.data());
        gathered_.insert(gathered_.end(), data, data + take);
        if (gathered_.size() == max_record_bytes) break;
    }
    stream_.async_write_some(asio::buffer(gathered_), cancellable_callable(std::move(handler)));
}

}  // namespace minewall::proxy
