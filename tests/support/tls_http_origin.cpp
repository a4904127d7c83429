#include "tests/support/tls_http_origin.hpp"

#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace minewall::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

struct TlsHttpOrigin::Impl {
    asio::io_context io;
    asio::ssl::context tls{asio::ssl::context::tls_server};
    asio::ip::tcp::acceptor acceptor{io, {asio::ip::make_address("127.0.0.1"), 0}};
    std::atomic<bool> stopping{false};
    std::atomic<std::uint64_t> accepted{0};
    std::atomic<std::uint64_t> handshakes{0};
    std::atomic<std::uint64_t> requests{0};
    std::mutex mutex;
    // Every connection's stream lives until the destructor, which shuts the sockets down so
    // blocked reads return (a socket closed earlier keeps its object, so no fd is reused).
    using Stream = asio::ssl::stream<asio::ip::tcp::socket>;
    std::vector<std::shared_ptr<Stream>> streams;
    std::vector<std::thread> connections;
    std::thread accept_thread;

    void serve(Stream& stream) {
        boost::system::error_code ec;
        stream.handshake(asio::ssl::stream_base::server, ec);
        if (ec) return;
        ++handshakes;
        beast::flat_buffer buffer;
        for (;;) {
            http::request<http::string_body> req;
            http::read(stream, buffer, req, ec);
            if (ec) return;
            ++requests;
            http::response<http::string_body> res{http::status::ok, req.version()};
            res.set(http::field::content_type, "text/plain");
            res.body() = "hello over tls\n";
            res.keep_alive(req.keep_alive());
            res.prepare_payload();
            http::write(stream, res, ec);
            if (ec || !req.keep_alive()) return;
        }
    }

    void accept_loop() {
        for (;;) {
            asio::ip::tcp::socket socket(io);
            boost::system::error_code ec;
            acceptor.accept(socket, ec);
            if (ec || stopping) return;
            ++accepted;
            auto stream = std::make_shared<Stream>(std::move(socket), tls);
            std::lock_guard lock(mutex);
            streams.push_back(stream);
            connections.emplace_back([this, stream] {
                serve(*stream);
                // Done with it, or its client left: the TCP connection ends now, as a real
                // origin's would (the object stays until the destructor).
                std::lock_guard lock(mutex);
                boost::system::error_code ignored;
                stream->lowest_layer().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
            });
        }
    }
};

TlsHttpOrigin::TlsHttpOrigin(const std::string& cert_file, const std::string& key_file)
    : impl_(std::make_unique<Impl>()) {
    impl_->tls.use_certificate_chain_file(cert_file);
    impl_->tls.use_private_key_file(key_file, asio::ssl::context::pem);
    impl_->accept_thread = std::thread([this] { impl_->accept_loop(); });
}

TlsHttpOrigin::~TlsHttpOrigin() {
    // A blocking accept() is not woken by closing the acceptor: connect to it instead.
    impl_->stopping = true;
    boost::system::error_code ignored;
    asio::ip::tcp::socket wake(impl_->io);
    wake.connect(impl_->acceptor.local_endpoint(), ignored);
    impl_->accept_thread.join();
    std::vector<std::thread> connections;
    {
        // Not held while joining: a connection thread takes it to shut its socket down.
        std::lock_guard lock(impl_->mutex);
        for (auto& stream : impl_->streams)
            stream->lowest_layer().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
        connections = std::move(impl_->connections);
    }
    for (auto& t : connections)
        t.join();
}

std::uint16_t TlsHttpOrigin::port() const {
    return impl_->acceptor.local_endpoint().port();
}

std::uint64_t TlsHttpOrigin::tcp_connections() const {
    return impl_->accepted;
}

std::uint64_t TlsHttpOrigin::tls_handshakes() const {
    return impl_->handshakes;
}

std::uint64_t TlsHttpOrigin::requests_served() const {
    return impl_->requests;
}

}  // namespace minewall::testing
