#include <doctest/doctest.h>

#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <mutex>
#include <thread>

#include "tests/support/minewall_process.hpp"
#include "tests/support/nss_log.hpp"
#include "tests/support/origin_server.hpp"
#include "tests/support/tls_origin.hpp"

using namespace minewall::testing;
namespace asio = boost::asio;
namespace beast = boost::beast;

namespace {

struct EchoResult {
    bool handshake_ok = false;
    std::string echoed;  // empty when the connection was cut
};

// WebSocket handshake on a connected stream, one message out, the echo back.
template <class WebSocket>
EchoResult exchange_one_message(WebSocket& ws, const std::string& host, const std::string& target,
                                const std::string& message) {
    EchoResult result;
    boost::system::error_code ec;
    ws.handshake(host, target, ec);
    if (ec) return result;
    result.handshake_ok = true;
    ws.write(asio::buffer(message), ec);
    if (ec) return result;
    beast::flat_buffer reply;
    ws.read(reply, ec);
    if (!ec) result.echoed = beast::buffers_to_string(reply.data());
    return result;
}

// A WebSocket client that talks to the origin through the proxy (absolute-form handshake).
EchoResult websocket_echo(std::uint16_t proxy_port, std::uint16_t origin_port,
                          const std::string& message) {
    asio::io_context ctx;
    asio::ip::tcp::socket socket(ctx);
    socket.connect({asio::ip::make_address("127.0.0.1"), proxy_port});
    beast::websocket::stream<asio::ip::tcp::socket&> ws(socket);
    const std::string host = "127.0.0.1:" + std::to_string(origin_port);
    return exchange_one_message(ws, host, "http://" + host + "/ws", message);
}

}  // namespace

TEST_CASE("relays a WebSocket through the proxy") {
    OriginServer origin;
    MinewallProcess proxy("log_level: info\n");
    auto r = websocket_echo(proxy.port(), origin.port(), "{\"chat\":\"hello\"}");
    CHECK(r.handshake_ok);
    CHECK(r.echoed == "{\"chat\":\"hello\"}");
}

TEST_CASE("cuts a WebSocket whose first message is a mining-pool login") {
    OriginServer origin;
    MinewallProcess proxy("log_level: info\n");
    auto r = websocket_echo(
        proxy.port(), origin.port(),
        "{\"type\":\"auth\",\"params\":{\"site_key\":\"pWQrP3qRgJ5BLG5rWY3B5vZZ1rGW5gFi\","
        "\"type\":\"anonymous\",\"user\":null,\"goal\":0}}");
    CHECK(r.handshake_ok);
    CHECK(r.echoed.empty());
    // Only once the origin's side has ended is "it received nothing" final.
    REQUIRE(origin.wait_all_closed(std::chrono::seconds(10)));
    CHECK(origin.connections_accepted() == 1);
    CHECK(origin.websocket_messages().empty());  // the pool never saw the login
    CHECK(proxy.process().wait_for_output("blocked WebSocket", std::chrono::seconds(10)));
}

namespace {

namespace ssl = asio::ssl;

// A wss:// echo origin on 127.0.0.1 with TlsOrigin's certificate (localhost), one connection
// at a time, remembering the messages it received.
class TlsWebSocketOrigin {
  public:
    explicit TlsWebSocketOrigin(const TlsOrigin& pki)
        : tls_(ssl::context::tls_server), acceptor_(io_, {asio::ip::make_address("127.0.0.1"), 0}) {
        tls_.use_certificate_chain_file(pki.cert_file());
        tls_.use_private_key_file(pki.key_file(), ssl::context::pem);
        thread_ = std::thread([this] { serve(); });
    }
    ~TlsWebSocketOrigin() {
        // A blocking accept() is not woken by closing the acceptor: connect to it instead.
        stopping_ = true;
        boost::system::error_code ignored;
        asio::ip::tcp::socket wake(io_);
        wake.connect(acceptor_.local_endpoint(), ignored);
        thread_.join();
    }
    std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
    std::vector<std::string> messages() const {
        std::lock_guard lock(mutex_);
        return messages_;
    }

  private:
    void serve() {
        for (;;) {
            asio::ip::tcp::socket socket(io_);
            boost::system::error_code ec;
            acceptor_.accept(socket, ec);
            if (ec || stopping_) return;
            beast::websocket::stream<ssl::stream<asio::ip::tcp::socket>> ws(std::move(socket),
                                                                            tls_);
            ws.next_layer().handshake(ssl::stream_base::server, ec);
            if (!ec) ws.accept(ec);
            while (!ec) {
                beast::flat_buffer buffer;
                ws.read(buffer, ec);
                if (ec) break;
                {
                    std::lock_guard lock(mutex_);
                    messages_.push_back(beast::buffers_to_string(buffer.data()));
                }
                ws.text(ws.got_text());
                ws.write(buffer.data(), ec);
            }
        }
    }

    asio::io_context io_;
    ssl::context tls_;
    asio::ip::tcp::acceptor acceptor_;
    std::atomic<bool> stopping_{false};
    std::thread thread_;
    mutable std::mutex mutex_;
    std::vector<std::string> messages_;
};

// A wss:// client through the proxy: CONNECT, TLS trusting only minewall's CA, then WebSocket.
EchoResult wss_echo(std::uint16_t proxy_port, std::uint16_t origin_port, const std::string& ca,
                    const std::string& message) {
    EchoResult result;
    asio::io_context io;
    asio::ip::tcp::socket socket(io);
    socket.connect({asio::ip::make_address("127.0.0.1"), proxy_port});
    const std::string host = "localhost:" + std::to_string(origin_port);
    asio::write(socket,
                asio::buffer("CONNECT " + host + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n"));
    std::string head;
    boost::system::error_code ec;
    asio::read_until(socket, asio::dynamic_buffer(head), "\r\n\r\n", ec);
    if (ec || head.rfind("HTTP/1.1 200", 0) != 0) return result;
    ssl::context tls(ssl::context::tls_client);
    tls.load_verify_file(ca);
    beast::websocket::stream<ssl::stream<asio::ip::tcp::socket&>> ws(socket, tls);
    SSL_set_tlsext_host_name(ws.next_layer().native_handle(), "localhost");
    ws.next_layer().set_verify_mode(ssl::verify_peer);
    ws.next_layer().set_verify_callback(ssl::host_name_verification("localhost"));
    ws.next_layer().handshake(ssl::stream_base::client, ec);
    if (ec) return result;
    return exchange_one_message(ws, host, "/ws", message);
}

std::string wss_config(std::uint16_t port, const TempDir& logs) {
    return "connect_ports: [" + std::to_string(port) + "]\n" +
           splunk_log_config(logs.file("web.log"));
}

}  // namespace

TEST_CASE("relays a wss:// WebSocket inside a bumped connection") {
    TlsOrigin pki;
    TlsWebSocketOrigin origin(pki);
    TempDir logs;
    MinewallProcess proxy(wss_config(origin.port(), logs), {"--upstream-ca", pki.ca_file()});
    auto r = wss_echo(proxy.port(), origin.port(), proxy.ca_file(), "{\"chat\":\"hello\"}");
    CHECK(r.handshake_ok);
    CHECK(r.echoed == "{\"chat\":\"hello\"}");
    REQUIRE(proxy.stop() == 0);
    auto lines = nss_log_lines(logs.file("web.log"));
    REQUIRE(lines.size() == 2);
    CHECK(has_pair(lines[0], "protocol=WEBSOCKET_SSL"));
    CHECK(has_pair(lines[0], "status=101"));
}

TEST_CASE(
    "cuts a wss:// WebSocket inside a bumped connection whose first message is a pool login") {
    TlsOrigin pki;
    TlsWebSocketOrigin origin(pki);
    TempDir logs;
    MinewallProcess proxy(wss_config(origin.port(), logs), {"--upstream-ca", pki.ca_file()});
    auto r = wss_echo(proxy.port(), origin.port(), proxy.ca_file(),
                      "{\"type\":\"auth\",\"params\":{\"site_key\":"
                      "\"pWQrP3qRgJ5BLG5rWY3B5vZZ1rGW5gFi\",\"type\":\"anonymous\",\"user\":null,"
                      "\"goal\":0}}");
    CHECK(r.handshake_ok);
    CHECK(r.echoed.empty());
    REQUIRE(proxy.stop() == 0);
    CHECK(origin.messages().empty());  // the pool never saw the login
    auto lines = nss_log_lines(logs.file("web.log"));
    REQUIRE(lines.size() == 2);
    CHECK(has_pair(lines[0], "protocol=WEBSOCKET_SSL"));
    CHECK(has_pair(lines[0], "action=Blocked"));
    CHECK(lines[0].find("threatname=CoinMiner") != std::string::npos);
}
