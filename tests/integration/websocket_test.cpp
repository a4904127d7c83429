#include <doctest/doctest.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include "tests/support/minewall_process.hpp"
#include "tests/support/origin_server.hpp"

using namespace minewall::testing;
namespace asio = boost::asio;
namespace beast = boost::beast;

namespace {

struct EchoResult {
    bool handshake_ok = false;
    std::string echoed;  // empty when the connection was cut
};

// A WebSocket client that talks to the origin through the proxy (absolute-form handshake).
EchoResult websocket_echo(std::uint16_t proxy_port, std::uint16_t origin_port,
                          const std::string& message) {
    EchoResult result;
    asio::io_context ctx;
    asio::ip::tcp::socket socket(ctx);
    socket.connect({asio::ip::make_address("127.0.0.1"), proxy_port});
    beast::websocket::stream<asio::ip::tcp::socket&> ws(socket);
    const std::string host = "127.0.0.1:" + std::to_string(origin_port);
    boost::system::error_code ec;
    ws.handshake(host, "http://" + host + "/ws", ec);
    if (ec) return result;
    result.handshake_ok = true;
    ws.write(asio::buffer(message), ec);
    if (ec) return result;
    beast::flat_buffer reply;
    ws.read(reply, ec);
    if (!ec) result.echoed = beast::buffers_to_string(reply.data());
    return result;
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
    CHECK(origin.websocket_messages().empty());  // the pool never saw the login
    CHECK(proxy.log().find("blocked WebSocket") != std::string::npos);
}
