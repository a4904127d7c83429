#include "proxy/byte_stream.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>

namespace minewall::proxy {

namespace {

// Boost 1.81's any_completion_handler exposes an executor type Beast's stream cannot post to,
// so hand Beast a plain callable carrying only the caller's cancellation slot: completions run
// on the stream's executor (the worker's), and `||` deadlines can still cancel the operation.
auto plain_callable(ByteStream::Handler handler) {
    auto slot = asio::get_associated_cancellation_slot(handler);
    return asio::bind_cancellation_slot(
        slot,
        [h = std::move(handler)](error_code ec, std::size_t n) mutable { std::move(h)(ec, n); });
}

}  // namespace

void TcpByteStream::read_some(asio::mutable_buffer buffer, Handler handler) {
    stream_.async_read_some(buffer, plain_callable(std::move(handler)));
}

void TcpByteStream::write_some(const ConstBuffers& buffers, Handler handler) {
    stream_.async_write_some(buffers, plain_callable(std::move(handler)));
}

}  // namespace minewall::proxy
