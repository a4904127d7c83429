#pragma once
// Loopback receivers for minewall's network web-log sinks, as a SIEM would run them: a stream
// receiver (syslog over TCP or TLS: it keeps every byte it gets) and an HTTP(S) collector that
// answers every POST like Splunk HEC. Each accepts on 127.0.0.1, port 0, with a thread per
// connection; TLS uses a certificate from a test CA made with the openssl command.
// Header-only: only the sink tests use it.
#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/child_process.hpp"

namespace minewall::testing {

// A test CA and a server certificate signed by it for 127.0.0.1 and localhost.
class TestCertificates {
  public:
    TestCertificates() {
        auto openssl = [](std::vector<std::string> args) {
            args.insert(args.begin(), "openssl");
            auto r = run_command(args, std::chrono::seconds(30));
            if (r.exit_code != 0) throw std::runtime_error("openssl failed: " + r.err);
        };
        openssl({"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                 "-keyout", dir_.file("ca.key"), "-out", ca_file(), "-days", "2", "-subj",
                 "/CN=minewall test log receiver CA"});
        openssl({"req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
                 key_file(), "-out", dir_.file("server.csr"), "-subj", "/CN=receiver"});
        dir_.write("ext", "subjectAltName=DNS:localhost,IP:127.0.0.1\n");
        openssl({"x509", "-req", "-in", dir_.file("server.csr"), "-CA", ca_file(), "-CAkey",
                 dir_.file("ca.key"), "-CAcreateserial", "-out", cert_file(), "-days", "2",
                 "-extfile", dir_.file("ext")});
    }
    std::string ca_file() const { return dir_.file("ca.pem"); }
    std::string cert_file() const { return dir_.file("server.pem"); }
    std::string key_file() const { return dir_.file("server.key"); }

  private:
    TempDir dir_;
};

namespace detail {

// Accepts on 127.0.0.1:0 and hands each connection's socket to `serve` on a thread of its
// own. Sockets live until the destructor, which shuts them down so blocked reads return (a
// socket closed earlier would let its descriptor be reused under a late shutdown).
class LoopbackAcceptor {
  public:
    using Serve = std::function<void(boost::asio::ip::tcp::socket&)>;
    explicit LoopbackAcceptor(Serve serve) : serve_(std::move(serve)) {
        thread_ = std::thread([this] { accept_loop(); });
    }
    ~LoopbackAcceptor() {
        // A blocking accept() is not woken by closing the acceptor: connect to it instead.
        stopping_ = true;
        boost::system::error_code ignored;
        boost::asio::ip::tcp::socket wake(io_);
        wake.connect(acceptor_.local_endpoint(), ignored);
        thread_.join();
        std::lock_guard lock(mutex_);
        for (auto& socket : sockets_)
            socket->shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
        for (auto& t : connections_)
            t.join();
    }
    LoopbackAcceptor(const LoopbackAcceptor&) = delete;
    LoopbackAcceptor& operator=(const LoopbackAcceptor&) = delete;

    std::uint16_t port() const { return acceptor_.local_endpoint().port(); }

  private:
    void accept_loop() {
        for (;;) {
            auto socket = std::make_shared<boost::asio::ip::tcp::socket>(io_);
            boost::system::error_code ec;
            acceptor_.accept(*socket, ec);
            if (ec || stopping_) return;
            std::lock_guard lock(mutex_);
            sockets_.push_back(socket);
            connections_.emplace_back([this, socket] { serve_(*socket); });
        }
    }

    Serve serve_;
    boost::asio::io_context io_;
    boost::asio::ip::tcp::acceptor acceptor_{io_, {boost::asio::ip::make_address("127.0.0.1"), 0}};
    std::atomic<bool> stopping_{false};
    std::mutex mutex_;
    std::vector<std::shared_ptr<boost::asio::ip::tcp::socket>> sockets_;
    std::vector<std::thread> connections_;
    std::thread thread_;
};

// Polls `done` every 10 ms until it holds or the timeout passes.
inline bool wait_until(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!done()) {
        if (std::chrono::steady_clock::now() >= deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return true;
}

inline boost::asio::ssl::context server_tls(const TestCertificates& certificates) {
    boost::asio::ssl::context tls{boost::asio::ssl::context::tls_server};
    tls.use_certificate_chain_file(certificates.cert_file());
    tls.use_private_key_file(certificates.key_file(), boost::asio::ssl::context::pem);
    return tls;
}

}  // namespace detail

// A syslog-style stream receiver: keeps every byte from every connection, in arrival order
// per connection. `tls` non-null: TLS with that certificate.
class StreamLogReceiver {
  public:
    explicit StreamLogReceiver(const TestCertificates* tls = nullptr) {
        if (tls) tls_.emplace(detail::server_tls(*tls));
        acceptor_ = std::make_unique<detail::LoopbackAcceptor>(
            [this](boost::asio::ip::tcp::socket& socket) { serve(socket); });
    }
    ~StreamLogReceiver() { acceptor_.reset(); }  // joins the threads before members go

    std::uint16_t port() const { return acceptor_->port(); }
    // Everything received, all connections concatenated.
    std::string received() const {
        std::lock_guard lock(mutex_);
        return received_;
    }
    std::size_t tls_handshakes() const { return handshakes_; }
    bool wait_failed_handshakes(std::size_t count, std::chrono::milliseconds timeout) const {
        return detail::wait_until([&] { return failed_handshakes_ >= count; }, timeout);
    }
    // Waits until what was received holds `needle` `count` times.
    bool wait_for(const std::string& needle, std::size_t count,
                  std::chrono::milliseconds timeout) const {
        return detail::wait_until(
            [&] {
                auto text = received();
                std::size_t found = 0;
                for (auto at = text.find(needle); at != std::string::npos;
                     at = text.find(needle, at + needle.size()))
                    ++found;
                return found >= count;
            },
            timeout);
    }

  private:
    template <class Stream>
    void read_all(Stream& stream) {
        char buffer[16384];
        for (;;) {
            boost::system::error_code ec;
            auto n = stream.read_some(boost::asio::buffer(buffer), ec);
            if (n > 0) {
                std::lock_guard lock(mutex_);
                received_.append(buffer, n);
            }
            if (ec) return;
        }
    }

    // At the sender's end of stream the receiver closes its side too, as syslog servers do:
    // minewall takes that as proof that every record was read.
    void serve(boost::asio::ip::tcp::socket& socket) {
        boost::system::error_code ec;
        if (!tls_) {
            read_all(socket);
        } else {
            boost::asio::ssl::stream<boost::asio::ip::tcp::socket&> stream(socket, *tls_);
            stream.handshake(boost::asio::ssl::stream_base::server, ec);
            if (ec) {
                ++failed_handshakes_;
                return;
            }
            ++handshakes_;
            read_all(stream);
            stream.shutdown(ec);  // close_notify back
        }
        socket.shutdown(boost::asio::ip::tcp::socket::shutdown_both, ec);
    }

    std::optional<boost::asio::ssl::context> tls_;
    mutable std::mutex mutex_;
    std::string received_;
    std::atomic<std::size_t> handshakes_{0};
    std::atomic<std::size_t> failed_handshakes_{0};
    std::unique_ptr<detail::LoopbackAcceptor> acceptor_;
};

// An HTTP(S) log collector: keeps every request and answers 200 with Splunk HEC's success
// body, keeping the connection alive.
class HttpLogReceiver {
  public:
    struct Request {
        std::string method;
        std::string target;
        std::string authorization;
        std::string content_type;
        std::string body;
    };

    explicit HttpLogReceiver(const TestCertificates* tls = nullptr) {
        if (tls) tls_.emplace(detail::server_tls(*tls));
        acceptor_ = std::make_unique<detail::LoopbackAcceptor>(
            [this](boost::asio::ip::tcp::socket& socket) { serve(socket); });
    }
    ~HttpLogReceiver() { acceptor_.reset(); }

    std::uint16_t port() const { return acceptor_->port(); }
    std::vector<Request> requests() const {
        std::lock_guard lock(mutex_);
        return requests_;
    }
    std::size_t tls_handshakes() const { return handshakes_; }
    bool wait_requests(std::size_t count, std::chrono::milliseconds timeout) const {
        return detail::wait_until([&] { return requests().size() >= count; }, timeout);
    }

  private:
    template <class Stream>
    void answer_all(Stream& stream) {
        namespace http = boost::beast::http;
        boost::beast::flat_buffer buffer;
        for (;;) {
            http::request<http::string_body> req;
            boost::system::error_code ec;
            http::read(stream, buffer, req, ec);
            if (ec) return;
            {
                std::lock_guard lock(mutex_);
                requests_.push_back({std::string(req.method_string()), std::string(req.target()),
                                     std::string(req[http::field::authorization]),
                                     std::string(req[http::field::content_type]), req.body()});
            }
            http::response<http::string_body> res{http::status::ok, 11};
            res.set(http::field::content_type, "application/json");
            res.body() = R"({"text":"Success","code":0})";
            res.keep_alive(req.keep_alive());
            res.prepare_payload();
            http::write(stream, res, ec);
            if (ec || !req.keep_alive()) return;
        }
    }

    void serve(boost::asio::ip::tcp::socket& socket) {
        if (!tls_) return answer_all(socket);
        boost::asio::ssl::stream<boost::asio::ip::tcp::socket&> stream(socket, *tls_);
        boost::system::error_code ec;
        stream.handshake(boost::asio::ssl::stream_base::server, ec);
        if (ec) return;
        ++handshakes_;
        answer_all(stream);
    }

    std::optional<boost::asio::ssl::context> tls_;
    mutable std::mutex mutex_;
    std::vector<Request> requests_;
    std::atomic<std::size_t> handshakes_{0};
    std::unique_ptr<detail::LoopbackAcceptor> acceptor_;
};

}  // namespace minewall::testing
