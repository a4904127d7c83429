#pragma once
// Streams one HTTP message body from a parser to a serializer through a fixed buffer, so a
// body of any size passes with bounded memory and is never held whole.
#include <chrono>
#include <cstdint>
#include <span>

#include "proxy/net/byte_stream.hpp"

namespace minewall::proxy {

// Room for 64 KiB reads in a connection's input buffer while a large body is read from it.
// Beast reads only as much as the buffer has room for, and a buffer sized by the message head
// holds about 1 KiB: a 1 MiB body took a thousand reads. Callers widen once a body has needed
// more than one read, so small responses never pay for it; afterwards the room is given back,
// so an idle keep-alive connection keeps only a small buffer.
class WideReads {
  public:
    static constexpr std::size_t read_bytes = 64 * 1024;
    explicit WideReads(beast::flat_buffer& buffer) : buffer_(buffer) {
        if (buffer.capacity() < read_bytes) {
            buffer.reserve(read_bytes);
            widened_ = true;
        }
    }
    ~WideReads() {
        if (widened_) buffer_.shrink_to_fit();
    }
    WideReads(const WideReads&) = delete;
    WideReads& operator=(const WideReads&) = delete;

  private:
    beast::flat_buffer& buffer_;
    bool widened_ = false;
};

struct RelayOutcome {
    enum class Failure { None, ReadTimeout, ReadError, BadBody, WriteTimeout, WriteError };
    Failure failure = Failure::None;
    error_code error;
    std::uint64_t body_bytes = 0;

    bool ok() const { return failure == Failure::None; }
};

// Relays the rest of the message: writes the header if the serializer has not yet (together
// with the first body bytes), then body chunks as they arrive, each as soon as it arrives. Each
// read/write gets its own timeout (an idle timeout, not a total).
template <bool isRequest>
awaitable<RelayOutcome> relay_body(ByteStream& input, beast::flat_buffer& input_buffer,
                                   http::parser<isRequest, http::buffer_body>& parser,
                                   ByteStream& output,
                                   http::serializer<isRequest, http::buffer_body>& serializer,
                                   std::chrono::milliseconds read_timeout,
                                   std::chrono::milliseconds write_timeout,
                                   std::span<char> scratch);

}  // namespace minewall::proxy
