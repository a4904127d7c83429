// Integration tests for the README's shutdown and timeout claims: the SIGTERM/SIGINT drain
// with its deadline, a timeout on every client and upstream phase (keep-alive idle, body idle,
// upstream connect and idle), and X-Forwarded-For trusted only from trusted forwarders.
#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <optional>
#include <stdexcept>
#include <thread>
#include <vector>

#include "tests/support/eventually.hpp"
#include "tests/support/minewall_process.hpp"
#include "tests/support/nss_log.hpp"
#include "tests/support/origin_server.hpp"

using namespace minewall::testing;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

sockaddr_in loopback(std::uint16_t port, const char* address = "127.0.0.1") {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    ::inet_pton(AF_INET, address, &addr.sin_addr);
    return addr;
}

// A raw client connection that also tells when (and whether) minewall closed it.
class ClientSocket {
  public:
    explicit ClientSocket(std::uint16_t port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
        auto addr = loopback(port);
        if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
            throw std::runtime_error("cannot connect to 127.0.0.1:" + std::to_string(port));
    }
    ~ClientSocket() { ::close(fd_); }
    ClientSocket(const ClientSocket&) = delete;
    ClientSocket& operator=(const ClientSocket&) = delete;

    void send(const std::string& bytes) {
        REQUIRE(::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) ==
                static_cast<ssize_t>(bytes.size()));
    }
    // True once what was received holds marker; false when the peer closed or time ran out.
    bool read_until(const std::string& marker, std::chrono::milliseconds timeout) {
        const auto deadline = Clock::now() + timeout;
        while (received_.find(marker) == std::string::npos)
            if (!receive(deadline)) return false;
        return true;
    }
    // When the peer closed the connection (what it sent before is kept), or nullopt when it
    // was still open at the deadline.
    std::optional<Clock::time_point> wait_closed(std::chrono::milliseconds timeout) {
        const auto deadline = Clock::now() + timeout;
        while (!closed_at_)
            if (!receive(deadline)) break;
        return closed_at_;
    }
    const std::string& received() const { return received_; }

  private:
    // One poll + recv; false at the deadline or once the peer has closed.
    bool receive(Clock::time_point deadline) {
        if (closed_at_) return false;
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        if (left.count() <= 0) return false;
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
        char buffer[16384];
        auto n = ::recv(fd_, buffer, sizeof buffer, 0);
        if (n <= 0) {
            closed_at_ = Clock::now();  // FIN or reset: either way minewall let go
            return false;
        }
        received_.append(buffer, static_cast<std::size_t>(n));
        return true;
    }

    int fd_;
    std::string received_;
    std::optional<Clock::time_point> closed_at_;
};

// Polls until connecting to the port is refused (the listener closed), up to the timeout.
bool wait_until_refused(std::uint16_t port, std::chrono::milliseconds timeout) {
    return eventually(
        [port] {
            int fd = ::socket(AF_INET, SOCK_STREAM, 0);
            auto addr = loopback(port);
            bool refused = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 &&
                           errno == ECONNREFUSED;
            ::close(fd);
            return refused;
        },
        timeout);
}

// A loopback "origin" that never completes a TCP handshake: a listener with backlog 0 whose
// accept queue is filled with a connection nobody accepts, so the kernel drops every further
// SYN (the client neither connects nor gets refused, as behind a black hole).
class BlackHoleOrigin {
  public:
    BlackHoleOrigin() : listener_(::socket(AF_INET, SOCK_STREAM, 0)) {
        auto addr = loopback(0);
        socklen_t length = sizeof addr;
        if (::bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
            ::listen(listener_, 0) != 0 ||
            ::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &length) != 0)
            throw std::runtime_error("cannot listen on 127.0.0.1");
        port_ = ntohs(addr.sin_port);
        // Connections that complete fill the queue; the first one that does not shows it full.
        for (int i = 0; i < 8; ++i) {
            int fd = start_connect();
            if (!completes(fd, 300ms)) {
                ::close(fd);
                return;
            }
            fillers_.push_back(fd);
        }
    }
    ~BlackHoleOrigin() {
        for (int fd : fillers_)
            ::close(fd);
        ::close(listener_);
    }
    BlackHoleOrigin(const BlackHoleOrigin&) = delete;
    BlackHoleOrigin& operator=(const BlackHoleOrigin&) = delete;

    std::uint16_t port() const { return port_; }
    // Whether a fresh connection attempt really hangs (checked before relying on it).
    bool stalls() const {
        int fd = start_connect();
        bool hung = !completes(fd, 500ms);
        ::close(fd);
        return hung;
    }

  private:
    int start_connect() const {
        int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        auto addr = loopback(port_);
        ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);  // EINPROGRESS
        return fd;
    }
    static bool completes(int fd, std::chrono::milliseconds timeout) {
        pollfd p{fd, POLLOUT, 0};
        return ::poll(&p, 1, static_cast<int>(timeout.count())) > 0;
    }

    int listener_;
    std::uint16_t port_ = 0;
    std::vector<int> fillers_;
};

std::string held_request(const OriginServer& origin) {
    return "GET " + origin.url("/held") +
           " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(origin.port()) + "\r\n\r\n";
}

}  // namespace

TEST_CASE(
    "SIGTERM cuts a transfer still running at shutdown.drain_timeout and exits 0 soon after") {
    OriginServer origin;
    TempDir logs;
    MinewallProcess proxy(splunk_log_config(logs.file("web.log")) +
                          "shutdown:\n  drain_timeout: 800ms\n");
    // /held sends its first event, then nothing until released: a transfer that outlives the
    // drain deadline.
    ClientSocket client(proxy.port());
    client.send(held_request(origin));
    REQUIRE(client.read_until("data: first", 10s));
    const auto signalled = Clock::now();
    proxy.process().signal(SIGTERM);
    auto code = proxy.process().wait(10s);
    const auto took = Clock::now() - signalled;
    REQUIRE_MESSAGE(code.has_value(), proxy.log());
    CHECK(*code == 0);
    // It waited for the transfer until the deadline, not longer than it takes to stop.
    CHECK(took >= 700ms);
    CHECK(took < 4s);
    CHECK(proxy.log().find("drain deadline reached: closing 1 connection(s) still open") !=
          std::string::npos);
    REQUIRE(client.wait_closed(5s));
    CHECK(client.received().find("data: second") == std::string::npos);
    // The web log was flushed on the way out: the cut transaction has its record.
    auto lines = nss_log_lines(logs.file("web.log"));
    REQUIRE(lines.size() == 1);
    CHECK(has_pair(lines[0], "url=127.0.0.1:" + std::to_string(origin.port()) + "/held"));
    CHECK(has_pair(lines[0], "status=200"));
}

TEST_CASE("SIGINT drains like SIGTERM: no new clients, the transfer in flight finishes, exit 0") {
    OriginServer origin;
    TempDir logs;
    MinewallProcess proxy(splunk_log_config(logs.file("web.log")) +
                          "shutdown:\n  drain_timeout: 20s\n");
    ClientSocket client(proxy.port());
    client.send(held_request(origin));
    REQUIRE(client.read_until("data: first", 10s));
    proxy.process().signal(SIGINT);
    REQUIRE(proxy.process().wait_for_output("received SIGINT: draining", 10s));
    CHECK(wait_until_refused(proxy.port(), 10s));
    CHECK(proxy.process().running());  // still waiting for the transfer
    origin.release_held();
    REQUIRE(client.wait_closed(10s));
    CHECK(client.received().find("data: second") != std::string::npos);
    CHECK(client.received().find("\r\n0\r\n\r\n") != std::string::npos);  // the chunked end
    REQUIRE(proxy.process().wait(10s) == 0);
    CHECK(proxy.log().find("all transactions finished") != std::string::npos);
    auto lines = nss_log_lines(logs.file("web.log"));
    REQUIRE(lines.size() == 1);
    CHECK(has_pair(lines[0], "status=200"));
}

TEST_CASE("X-Forwarded-For names the client only when a trusted forwarder sends it") {
    OriginServer origin;
    TempDir logs;
    // 192.0.2.0/24 maps to a person: an untrusted client must not borrow that identity.
    auto map = logs.write("identities.csv",
                          "cidr,user,department,device_owner,device_hostname,location\n"
                          "192.0.2.0/24,jdoe,Finance,jdoe,FIN-LT-042,HQ\n");
    MinewallProcess proxy(splunk_log_config(logs.file("web.log")) + "identity:\n  map_file: " +
                          map + "\n  trusted_forwarders: [127.0.0.1/32]\n");
    // 127.0.0.2 is allowed to use the proxy (127.0.0.0/8) but is not a trusted forwarder.
    auto untrusted = curl({"--interface", "127.0.0.2", "-x", proxy.proxy_url(), "-H",
                           "X-Forwarded-For: 192.0.2.77", origin.url("/hello")});
    REQUIRE_MESSAGE(untrusted.out == "hello from origin\n", untrusted.err);
    auto trusted =
        curl({"-x", proxy.proxy_url(), "-H", "X-Forwarded-For: 192.0.2.77", origin.url("/hello")});
    REQUIRE(trusted.out == "hello from origin\n");
    REQUIRE(proxy.stop() == 0);
    auto lines = nss_log_lines(logs.file("web.log"));
    REQUIRE(lines.size() == 2);
    CHECK(has_pair(lines[0], "ClientIP=127.0.0.2"));
    CHECK(has_pair(lines[0], "user=None"));
    CHECK(has_pair(lines[0], "department=None"));
    CHECK(has_pair(lines[1], "ClientIP=192.0.2.77"));
    CHECK(has_pair(lines[1], "user=jdoe"));
}

TEST_CASE("an idle keep-alive connection is closed after client.keepalive_timeout, not before") {
    OriginServer origin;
    // header_timeout differs by far, so the close shows which timer ran.
    MinewallProcess proxy("client:\n  keepalive_timeout: 700ms\n  header_timeout: 20s\n");
    ClientSocket client(proxy.port());
    client.send("GET " + origin.url("/hello") + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    REQUIRE(client.read_until("hello from origin\n", 10s));
    const auto idle_since = Clock::now();
    auto closed = client.wait_closed(10s);
    REQUIRE(closed.has_value());
    const auto idle = *closed - idle_since;
    CHECK(idle >= 550ms);
    CHECK(idle < 3s);
    CHECK(client.received().find("HTTP/1.1 200 OK") == 0);
}

TEST_CASE("a request body that stalls mid-way is cut after client.body_idle_timeout") {
    OriginServer origin;
    TempDir logs;
    MinewallProcess proxy(splunk_log_config(logs.file("web.log")) +
                          "client:\n  body_idle_timeout: 600ms\n");
    ClientSocket client(proxy.port());
    // 100 of the 1,000 announced bytes, then silence.
    client.send("POST " + origin.url("/upload") +
                " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/octet-stream\r\n"
                "Content-Length: 1000\r\n\r\n" +
                std::string(100, 'x'));
    const auto stalled_since = Clock::now();
    auto closed = client.wait_closed(10s);
    REQUIRE(closed.has_value());
    const auto stalled = *closed - stalled_since;
    CHECK(stalled >= 500ms);
    CHECK(stalled < 3s);
    REQUIRE(proxy.stop() == 0);
    auto lines = nss_log_lines(logs.file("web.log"));
    REQUIRE(lines.size() == 1);
    CHECK(has_pair(lines[0], "requestmethod=POST"));
    CHECK(has_pair(lines[0], "url=127.0.0.1:" + std::to_string(origin.port()) + "/upload"));
    CHECK(has_pair(lines[0], "status=NA"));  // no answer was sent: the request never ended
}

TEST_CASE("a response body that stalls is cut after upstream.idle_timeout") {
    OriginServer origin;
    TempDir logs;
    MinewallProcess proxy(splunk_log_config(logs.file("web.log")) +
                          "upstream:\n  idle_timeout: 600ms\n");
    ClientSocket client(proxy.port());
    client.send(held_request(origin));
    // text/event-stream is passed on as it arrives: the first event is here before the stall.
    REQUIRE(client.read_until("data: first", 10s));
    const auto stalled_since = Clock::now();
    auto closed = client.wait_closed(10s);
    REQUIRE(closed.has_value());
    const auto stalled = *closed - stalled_since;
    CHECK(stalled >= 500ms);
    CHECK(stalled < 3s);
    // Cut, not ended: no last chunk, so the client can tell the body is incomplete.
    CHECK(client.received().find("\r\n0\r\n\r\n") == std::string::npos);
    REQUIRE(proxy.stop() == 0);
    auto lines = nss_log_lines(logs.file("web.log"));
    REQUIRE(lines.size() == 1);
    CHECK(has_pair(lines[0], "url=127.0.0.1:" + std::to_string(origin.port()) + "/held"));
}

TEST_CASE(
    "an origin that never completes the TCP handshake gets 504 after upstream.connect_timeout") {
    BlackHoleOrigin origin;
    REQUIRE_MESSAGE(origin.stalls(), "the full accept queue did not stall new connections here");
    TempDir logs;
    // A short drain: should the connect hang, stopping does not wait for it long.
    MinewallProcess proxy(splunk_log_config(logs.file("web.log")) +
                          "upstream:\n  connect_timeout: 700ms\nshutdown:\n  drain_timeout: 1s\n");
    const std::string url = "http://127.0.0.1:" + std::to_string(origin.port()) + "/";
    const auto started = Clock::now();
    auto r = curl({"-x", proxy.proxy_url(), "--max-time", "8", "-w", "\n%{http_code}", url});
    const auto took = Clock::now() - started;
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    CHECK(r.out.substr(r.out.size() - 3) == "504");
    CHECK(r.out.find("timed out after 700 ms") != std::string::npos);
    CHECK(took >= 600ms);
    CHECK(took < 4s);
    REQUIRE(proxy.stop() == 0);
    CHECK(statistic(proxy.log(), "upstream_timeouts") == 1);
    auto lines = nss_log_lines(logs.file("web.log"));
    REQUIRE(lines.size() == 1);
    CHECK(has_pair(lines[0], "status=504"));
    CHECK(has_pair(lines[0], "url=127.0.0.1:" + std::to_string(origin.port()) + "/"));
}
