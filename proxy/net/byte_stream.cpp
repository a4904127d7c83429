#include "proxy/net/byte_stream.hpp"

namespace minewall::proxy {

bool ByteStream::input_ready() {
    error_code ec;
    return transport().socket().available(ec) > 0 && !ec;
}

void TcpByteStream::read_some(asio::mutable_buffer buffer, Handler handler) {
    stream_.async_read_some(buffer, cancellable_callable(std::move(handler)));
}

void TcpByteStream::write_some(const ConstBuffers& buffers, Handler handler) {
    stream_.async_write_some(buffers, cancellable_callable(std::move(handler)));
}

}  // namespace minewall::proxy
