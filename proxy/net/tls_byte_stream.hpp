#pragma once
// A TLS connection as a ByteStream: the bumped client side (minewall's leaf certificate) or a
// verified origin. The SSL object is made by certs/ (leaf or upstream context); this owns it.
#include <boost/asio/ssl.hpp>
#include <vector>

#include "proxy/net/byte_stream.hpp"

namespace minewall::proxy {

class TlsByteStream final : public ByteStream {
  public:
    // Takes ownership of ssl.
    TlsByteStream(beast::tcp_stream stream, SSL* ssl);

    executor_type get_executor() override { return stream_.get_executor(); }
    beast::tcp_stream& transport() override { return stream_.next_layer(); }
    bool is_tls() const override { return true; }
    bool has_buffered_input() override;
    bool input_ready() override;
    SSL* native() { return stream_.native_handle(); }

    // Server side; already_read: bytes of the ClientHello read before deciding to bump.
    awaitable<error_code> handshake_as_server(asio::const_buffer already_read);
    awaitable<error_code> handshake_as_client();

  protected:
    void read_some(asio::mutable_buffer buffer, Handler handler) override;
    void write_some(const ConstBuffers& buffers, Handler handler) override;

  private:
    static constexpr std::size_t max_record_bytes = 16 * 1024;  // TLS plaintext record limit
    asio::ssl::stream<beast::tcp_stream> stream_;
    std::vector<char> gathered_;  // small buffers of one write, joined into one record
};

}  // namespace minewall::proxy
