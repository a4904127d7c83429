#include "tests/support/origin_server.hpp"

#include <poll.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <charconv>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <sstream>
#include <thread>
#include <vector>

#include "tests/support/eventually.hpp"

namespace minewall::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

std::size_t query_number(std::string_view target, std::string_view key, std::size_t fallback) {
    auto pos = target.find(std::string(key) + "=");
    if (pos == std::string_view::npos) return fallback;
    auto digits = target.substr(pos + key.size() + 1);
    std::size_t value = fallback;
    std::from_chars(digits.data(), digits.data() + digits.size(), value);
    return value;
}

}  // namespace

struct OriginServer::Impl {
    asio::io_context context;
    tcp::acceptor acceptor{context};
    std::atomic<std::uint64_t> accepted{0};
    std::atomic<std::uint64_t> served{0};
    std::atomic<std::uint64_t> idle_closed{0};
    std::atomic<std::uint64_t> closed{0};
    std::atomic<std::uint64_t> dropped{0};
    std::atomic<std::int64_t> idle_close_ms{0};
    std::atomic<bool> drop_reused{false};
    std::atomic<bool> stopping{false};
    std::thread accept_thread;
    std::mutex mutex;
    std::vector<std::thread> connections;
    std::vector<std::shared_ptr<tcp::socket>> sockets;
    std::mutex routes_mutex;
    std::vector<std::string> websocket_messages;
    std::map<std::string, std::pair<std::string, std::string>> routes;  // path -> type, body
    std::mutex held_mutex;
    std::condition_variable held_cv;
    bool held_released = false;

    std::optional<std::pair<std::string, std::string>> custom_route(const std::string& target) {
        std::lock_guard lock(routes_mutex);
        auto it = routes.find(target);
        if (it == routes.end()) return std::nullopt;
        return it->second;
    }

    // Serves one connection, then closes it: a real origin closes when its client does (or
    // when it is done), and a proxy waiting for that close must not wait for the test's end.
    void serve_and_close(const std::shared_ptr<tcp::socket>& socket) {
        serve(socket);
        std::lock_guard lock(mutex);
        boost::system::error_code ignored;
        socket->shutdown(tcp::socket::shutdown_both, ignored);
        socket->close(ignored);
        ++closed;
    }

    // Waits for the next request on a kept-alive connection; false when the idle limit passed
    // first (then the origin closes, as nginx's keepalive_timeout does).
    bool next_request_within_idle_limit(tcp::socket& socket, const beast::flat_buffer& buffer) {
        auto limit = idle_close_ms.load();
        if (limit <= 0 || buffer.size() > 0) return true;
        pollfd p{socket.native_handle(), POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(limit)) > 0) return true;
        ++idle_closed;
        return false;
    }

    void serve(const std::shared_ptr<tcp::socket>& socket) {
        beast::flat_buffer buffer;
        boost::system::error_code ec;
        for (std::uint64_t on_connection = 0;; ++on_connection) {
            if (on_connection > 0 && !next_request_within_idle_limit(*socket, buffer)) return;
            http::request_parser<http::string_body> parser;
            parser.body_limit(256 * 1024 * 1024);
            http::read_header(*socket, buffer, parser, ec);
            if (ec) return;
            if (on_connection > 0 && drop_reused) {
                // The race a pooled connection can lose: the origin's close crosses the request.
                ++dropped;
                return;
            }
            auto& req = parser.get();
            if (req[http::field::expect] == "100-continue") {
                http::response<http::empty_body> go{http::status::continue_, 11};
                http::write(*socket, go, ec);
                if (ec) return;
            }
            http::read(*socket, buffer, parser, ec);
            if (ec) return;
            ++served;
            std::string target(req.target());
            if (target == "/ws" && beast::websocket::is_upgrade(req)) {
                // An echo WebSocket; what it received is kept for the tests.
                beast::websocket::stream<tcp::socket&> ws(*socket);
                ws.accept(req, ec);
                while (!ec) {
                    beast::flat_buffer message;
                    ws.read(message, ec);
                    if (ec) break;
                    {
                        std::lock_guard lock(routes_mutex);
                        websocket_messages.push_back(beast::buffers_to_string(message.data()));
                    }
                    ws.text(ws.got_text());
                    ws.write(message.data(), ec);
                }
                return;
            }
            bool keep_alive = req.keep_alive();

            if (target.rfind("/chunked", 0) == 0) {
                http::response<http::empty_body> res{http::status::ok, 11};
                res.set(http::field::content_type, "text/plain");
                res.chunked(true);
                res.keep_alive(keep_alive);
                http::response_serializer<http::empty_body> sr{res};
                http::write_header(*socket, sr, ec);
                for (std::size_t i = 0; i < query_number(target, "n", 3) && !ec; ++i) {
                    std::string chunk = "chunk " + std::to_string(i) + "\n";
                    asio::write(*socket, http::make_chunk(asio::buffer(chunk)), ec);
                }
                asio::write(*socket, http::make_chunk_last(), ec);
                if (ec || !keep_alive) return;
                continue;
            }
            if (target == "/held") {
                // An event stream whose second event waits for the test: a proxy that buffers
                // the body shows nothing of it until then.
                http::response<http::empty_body> res{http::status::ok, 11};
                res.set(http::field::content_type, "text/event-stream");
                res.chunked(true);
                res.keep_alive(keep_alive);
                http::response_serializer<http::empty_body> sr{res};
                http::write_header(*socket, sr, ec);
                std::string first = "data: first\n\n";
                asio::write(*socket, http::make_chunk(asio::buffer(first)), ec);
                {
                    std::unique_lock lock(held_mutex);
                    held_cv.wait_for(lock, std::chrono::seconds(30),
                                     [this] { return held_released || stopping.load(); });
                }
                std::string second = "data: second\n\n";
                asio::write(*socket, http::make_chunk(asio::buffer(second)), ec);
                asio::write(*socket, http::make_chunk_last(), ec);
                if (ec || !keep_alive) return;
                continue;
            }
            // Responses written as raw bytes, after which the origin closes.
            auto write_and_close = [&](std::string_view raw) {
                asio::write(*socket, asio::buffer(raw), ec);
                socket->shutdown(tcp::socket::shutdown_both, ec);
            };
            if (target == "/broken-chunk") {
                // A chunked response that ends after its first chunk's size line.
                return write_and_close(
                    "HTTP/1.1 200 OK\r\nContent-Type: image/png\r\n"
                    "Transfer-Encoding: chunked\r\n\r\n5\r\n");
            }
            if (target == "/close-delimited") {
                return write_and_close(
                    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n"
                    "body delimited by close\n");
            }
            if (target.rfind("/trickle", 0) == 0) {
                // /big's body in 64 KiB pieces with a pause between them: a transfer that
                // is reliably still running a while after it started.
                auto body = big_body(query_number(target, "bytes", 1024 * 1024));
                auto pause = std::chrono::milliseconds(query_number(target, "pause_ms", 50));
                http::response<http::empty_body> res{http::status::ok, 11};
                res.set(http::field::content_type, "application/octet-stream");
                res.content_length(body.size());
                res.keep_alive(keep_alive);
                http::response_serializer<http::empty_body> sr{res};
                http::write_header(*socket, sr, ec);
                for (std::size_t off = 0; off < body.size() && !ec; off += 65536) {
                    asio::write(*socket,
                                asio::buffer(body.data() + off,
                                             std::min<std::size_t>(65536, body.size() - off)),
                                ec);
                    std::this_thread::sleep_for(pause);
                }
                if (ec || !keep_alive) return;
                continue;
            }
            if (target.rfind("/slow", 0) == 0)
                std::this_thread::sleep_for(
                    std::chrono::milliseconds(query_number(target, "ms", 1000)));

            http::response<http::string_body> res{http::status::ok, 11};
            res.set(http::field::content_type, "text/plain");
            if (auto custom = custom_route(target)) {
                res.set(http::field::content_type, custom->first);
                res.body() = custom->second;
            } else if (target.rfind("/status/", 0) == 0) {
                res.result(static_cast<unsigned>(query_number("s=" + target.substr(8), "s", 200)));
            } else if (target == "/headers") {
                std::ostringstream head;
                head << req.base();
                res.body() = head.str();
            } else if (target == "/upload") {
                res.body() = "bytes=" + std::to_string(req.body().size()) +
                             " fnv=" + std::to_string(fnv1a(req.body()));
            } else if (target.rfind("/big", 0) == 0) {
                res.body() = big_body(query_number(target, "bytes", 1024));
            } else if (target.rfind("/slow", 0) == 0 || target == "/hello") {
                res.body() = "hello from origin\n";
            } else {
                res.result(http::status::not_found);
                res.body() = "no such test route\n";
            }
            res.keep_alive(keep_alive);
            res.prepare_payload();
            http::write(*socket, res, ec);
            if (ec || !keep_alive) return;
        }
    }
};

OriginServer::OriginServer() : impl_(std::make_unique<Impl>()) {
    tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), 0);
    impl_->acceptor.open(endpoint.protocol());
    impl_->acceptor.set_option(asio::socket_base::reuse_address(true));
    impl_->acceptor.bind(endpoint);
    impl_->acceptor.listen();
    impl_->accept_thread = std::thread([impl = impl_.get()] {
        for (;;) {
            auto socket = std::make_shared<tcp::socket>(impl->context);
            boost::system::error_code ec;
            impl->acceptor.accept(*socket, ec);
            if (ec || impl->stopping) return;
            ++impl->accepted;
            std::lock_guard lock(impl->mutex);
            impl->sockets.push_back(socket);
            impl->connections.emplace_back([impl, socket] { impl->serve_and_close(socket); });
        }
    });
}

OriginServer::~OriginServer() {
    impl_->stopping = true;
    release_held();
    boost::system::error_code ec;
    // Wake the blocking accept with a connection of our own, then close everything.
    {
        tcp::socket wake(impl_->context);
        wake.connect(impl_->acceptor.local_endpoint(), ec);
    }
    impl_->accept_thread.join();
    impl_->acceptor.close(ec);
    std::vector<std::thread> connections;
    {
        // Not held while joining: a connection thread takes it to close its socket.
        std::lock_guard lock(impl_->mutex);
        for (auto& s : impl_->sockets)
            s->shutdown(tcp::socket::shutdown_both, ec);
        connections = std::move(impl_->connections);
    }
    for (auto& t : connections)
        t.join();
}

std::uint16_t OriginServer::port() const {
    return impl_->acceptor.local_endpoint().port();
}

std::string OriginServer::url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port()) + path;
}

void OriginServer::add_route(const std::string& path, const std::string& content_type,
                             std::string body) {
    std::lock_guard lock(impl_->routes_mutex);
    impl_->routes[path] = {content_type, std::move(body)};
}

std::vector<std::string> OriginServer::websocket_messages() const {
    std::lock_guard lock(impl_->routes_mutex);
    return impl_->websocket_messages;
}

void OriginServer::release_held() {
    {
        std::lock_guard lock(impl_->held_mutex);
        impl_->held_released = true;
    }
    impl_->held_cv.notify_all();
}

std::uint64_t OriginServer::connections_accepted() const {
    return impl_->accepted;
}
std::uint64_t OriginServer::requests_served() const {
    return impl_->served;
}

void OriginServer::close_idle_after(std::chrono::milliseconds idle) {
    impl_->idle_close_ms = idle.count();
}
void OriginServer::drop_requests_on_reused_connections(bool drop) {
    impl_->drop_reused = drop;
}
bool OriginServer::wait_all_closed(std::chrono::milliseconds timeout) const {
    return eventually([this] { return impl_->closed >= impl_->accepted; }, timeout);
}
std::uint64_t OriginServer::idle_connections_closed() const {
    return impl_->idle_closed;
}
std::uint64_t OriginServer::requests_dropped() const {
    return impl_->dropped;
}

std::string OriginServer::big_body(std::size_t bytes) {
    std::string body(bytes, '\0');
    for (std::size_t i = 0; i < bytes; ++i)
        body[i] = "0123456789abcdefghijklmnopqrstuvwxyz\n"[i % 37];
    return body;
}

std::uint64_t OriginServer::fnv1a(const std::string& data) {
    std::uint64_t hash = 1469598103934665603ULL;
    for (unsigned char c : data) {
        hash ^= c;
        hash *= 1099511628211ULL;
    }
    return hash;
}

}  // namespace minewall::testing
