#pragma once
// A byte stream the HTTP stages run over, whatever it is underneath: plain TCP or TLS (a
// bumped client, a verified origin). One type-erased stream keeps one instantiation of the
// Beast parsers and serializers instead of one per transport.
#include <array>
#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <memory>

#include "proxy/net/net.hpp"

namespace minewall::proxy {

class ByteStream {
  public:
    using executor_type = asio::any_io_executor;
    using Handler = asio::any_completion_handler<void(error_code, std::size_t)>;

    // Up to 40 buffers of a write (Beast's serializer hands out three for the start line, one
    // per header field, then chunk framing + body): room for the head of a real site's response
    // and its first body bytes, so they leave in one write. A plain value so the operation can
    // keep its own copy.
    struct ConstBuffers {
        std::array<asio::const_buffer, 40> items{};
        std::size_t count = 0;
        const asio::const_buffer* begin() const { return items.data(); }
        const asio::const_buffer* end() const { return items.data() + count; }
    };

    virtual ~ByteStream() = default;
    virtual executor_type get_executor() = 0;
    // The TCP connection underneath: timeouts, socket options, peeking, closing.
    virtual beast::tcp_stream& transport() = 0;
    virtual bool is_tls() const = 0;
    // Input already decrypted and waiting (TLS): the socket may be silent while data is here.
    virtual bool has_buffered_input() { return false; }
    // True when a read would find bytes at once (in the socket's receive queue, or buffered or
    // still encrypted in TLS): lets a relay gather a fast body into larger writes and still pass
    // a trickling one on as soon as it arrives.
    virtual bool input_ready();

    template <class MutableBufferSequence, class Token>
    auto async_read_some(const MutableBufferSequence& buffers, Token&& token) {
        asio::mutable_buffer first;
        for (auto it = asio::buffer_sequence_begin(buffers);
             it != asio::buffer_sequence_end(buffers); ++it) {
            if (asio::mutable_buffer(*it).size() > 0) {
                first = *it;
                break;
            }
        }
        return asio::async_initiate<Token, void(error_code, std::size_t)>(
            [this](Handler handler, asio::mutable_buffer b) { read_some(b, std::move(handler)); },
            token, first);
    }

    template <class ConstBufferSequence, class Token>
    auto async_write_some(const ConstBufferSequence& buffers, Token&& token) {
        ConstBuffers list;
        for (auto it = asio::buffer_sequence_begin(buffers);
             it != asio::buffer_sequence_end(buffers) && list.count < list.items.size(); ++it) {
            asio::const_buffer b(*it);
            if (b.size() > 0) list.items[list.count++] = b;
        }
        return asio::async_initiate<Token, void(error_code, std::size_t)>(
            [this](Handler handler, ConstBuffers l) { write_some(l, std::move(handler)); }, token,
            list);
    }

  protected:
    virtual void read_some(asio::mutable_buffer buffer, Handler handler) = 0;
    virtual void write_some(const ConstBuffers& buffers, Handler handler) = 0;
};

// Boost 1.81's any_completion_handler exposes an executor type Beast's stream cannot post to,
// so the type-erased handler is handed to Asio/Beast as a plain callable carrying only the
// caller's cancellation slot: completions run on the stream's executor (the worker's), and
// `||` deadlines can still cancel the operation.
inline auto cancellable_callable(ByteStream::Handler handler) {
    auto slot = asio::get_associated_cancellation_slot(handler);
    return asio::bind_cancellation_slot(
        slot,
        [h = std::move(handler)](error_code ec, std::size_t n) mutable { std::move(h)(ec, n); });
}

class TcpByteStream final : public ByteStream {
  public:
    explicit TcpByteStream(beast::tcp_stream stream) : stream_(std::move(stream)) {}
    executor_type get_executor() override { return stream_.get_executor(); }
    beast::tcp_stream& transport() override { return stream_; }
    bool is_tls() const override { return false; }

  protected:
    void read_some(asio::mutable_buffer buffer, Handler handler) override;
    void write_some(const ConstBuffers& buffers, Handler handler) override;

  private:
    beast::tcp_stream stream_;
};

}  // namespace minewall::proxy
