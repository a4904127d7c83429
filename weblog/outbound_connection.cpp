#include "weblog/outbound_connection.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace minewall::weblog {
namespace {

using SteadyClock = std::chrono::steady_clock;

std::string ssl_error_text() {
    std::string text;
    while (const unsigned long e = ERR_get_error()) {
        char buf[256];
        ERR_error_string_n(e, buf, sizeof buf);
        if (!text.empty()) text += "; ";
        text += buf;
    }
    return text.empty() ? "TLS error" : text;
}

// Waits for `events` on fd until `deadline`. Returns false on timeout or poll error.
bool wait_fd(int fd, short events, SteadyClock::time_point deadline) {
    for (;;) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now());
        if (left.count() <= 0) return false;
        pollfd p{fd, events, 0};
        const int n = ::poll(&p, 1, static_cast<int>(left.count()));
        if (n > 0) return true;
        if (n < 0 && errno != EINTR) return false;
    }
}

bool is_ip_literal(const std::string& host) {
    in6_addr a6{};
    in_addr a4{};
    return ::inet_pton(AF_INET, host.c_str(), &a4) == 1 ||
           ::inet_pton(AF_INET6, host.c_str(), &a6) == 1;
}

int connect_tcp(const std::string& host, std::uint16_t port, SteadyClock::time_point deadline,
                std::string& error) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* list = nullptr;
    const std::string service = std::to_string(port);
    if (const int rc = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &list); rc != 0) {
        error = "resolve " + host + ": " + ::gai_strerror(rc);
        return -1;
    }
    int fd = -1;
    for (addrinfo* ai = list; ai != nullptr && fd < 0; ai = ai->ai_next) {
        fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                      ai->ai_protocol);
        if (fd < 0) continue;
        if (::connect(fd, ai->ai_addr, ai->ai_addrlen) != 0 && errno != EINPROGRESS) {
            error = "connect " + host + ":" + service + ": " + std::strerror(errno);
            ::close(fd);
            fd = -1;
            continue;
        }
        if (!wait_fd(fd, POLLOUT, deadline)) {
            error = "connect " + host + ":" + service + ": timed out";
            ::close(fd);
            fd = -1;
            continue;
        }
        int so_error = 0;
        socklen_t len = sizeof so_error;
        ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &so_error, &len);
        if (so_error != 0) {
            error = "connect " + host + ":" + service + ": " + std::strerror(so_error);
            ::close(fd);
            fd = -1;
        }
    }
    ::freeaddrinfo(list);
    if (fd >= 0) {
        const int one = 1;
        ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    return fd;
}

}  // namespace

struct OutboundConnection::State {
    int fd = -1;
    SSL_CTX* ctx = nullptr;
    SSL* ssl = nullptr;
    std::chrono::milliseconds io_timeout{10000};

    ~State() {
        if (ssl) SSL_free(ssl);
        if (ctx) SSL_CTX_free(ctx);
        if (fd >= 0) ::close(fd);
    }

    // Runs one non-blocking TLS step until it completes or the deadline passes.
    // `op` returns the SSL_* call's result.
    template <typename Op>
    int tls_step(Op op, SteadyClock::time_point deadline, std::string& error) {
        for (;;) {
            ERR_clear_error();
            const int rc = op();
            if (rc > 0) return rc;
            const int err = SSL_get_error(ssl, rc);
            if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
                if (!wait_fd(fd, err == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, deadline)) {
                    error = "TLS timed out";
                    return -1;
                }
                continue;
            }
            if (err == SSL_ERROR_ZERO_RETURN) return 0;
            if (err == SSL_ERROR_SYSCALL) {
                error = errno != 0 ? std::strerror(errno) : "connection closed";
                return errno != 0 ? -1 : 0;
            }
            error = ssl_error_text();
            return -1;
        }
    }
};

OutboundConnection::OutboundConnection(std::unique_ptr<State> state) : state_(std::move(state)) {}

OutboundConnection::~OutboundConnection() = default;

std::unique_ptr<OutboundConnection> OutboundConnection::open(
    const std::string& host, std::uint16_t port, const TlsClientOptions& tls,
    std::chrono::milliseconds connect_timeout, std::chrono::milliseconds io_timeout,
    std::string& error) {
    const auto deadline = SteadyClock::now() + connect_timeout;
    auto state = std::make_unique<State>();
    state->io_timeout = io_timeout;
    state->fd = connect_tcp(host, port, deadline, error);
    if (state->fd < 0) return nullptr;
    if (!tls.enabled)
        return std::unique_ptr<OutboundConnection>(new OutboundConnection(std::move(state)));

    state->ctx = SSL_CTX_new(TLS_client_method());
    if (!state->ctx) {
        error = ssl_error_text();
        return nullptr;
    }
    SSL_CTX_set_min_proto_version(state->ctx, TLS1_2_VERSION);
    if (tls.verify_peer) {
        SSL_CTX_set_verify(state->ctx, SSL_VERIFY_PEER, nullptr);
        const int loaded = tls.ca_file.empty() ? SSL_CTX_set_default_verify_paths(state->ctx)
                                               : SSL_CTX_load_verify_locations(
                                                     state->ctx, tls.ca_file.c_str(), nullptr);
        if (loaded != 1) {
            error = "TLS trust store" + (tls.ca_file.empty() ? std::string() : " " + tls.ca_file) +
                    ": " + ssl_error_text();
            return nullptr;
        }
    } else {
        SSL_CTX_set_verify(state->ctx, SSL_VERIFY_NONE, nullptr);
    }
    state->ssl = SSL_new(state->ctx);
    if (!state->ssl || SSL_set_fd(state->ssl, state->fd) != 1) {
        error = ssl_error_text();
        return nullptr;
    }
    const std::string& name = tls.server_name.empty() ? host : tls.server_name;
    if (tls.verify_peer) {
        X509_VERIFY_PARAM* param = SSL_get0_param(state->ssl);
        const int ok = is_ip_literal(name) ? X509_VERIFY_PARAM_set1_ip_asc(param, name.c_str())
                                           : X509_VERIFY_PARAM_set1_host(param, name.c_str(), 0);
        if (ok != 1) {
            error = "TLS: cannot check the peer name " + name;
            return nullptr;
        }
    }
    if (!is_ip_literal(name)) SSL_set_tlsext_host_name(state->ssl, name.c_str());
    SSL* ssl = state->ssl;
    std::string tls_error;
    if (state->tls_step([&] { return SSL_connect(ssl); }, deadline, tls_error) <= 0) {
        const long verify = SSL_get_verify_result(ssl);
        error = "TLS handshake with " + host + ":" + std::to_string(port) + ": " +
                (verify != X509_V_OK ? X509_verify_cert_error_string(verify) : tls_error);
        return nullptr;
    }
    return std::unique_ptr<OutboundConnection>(new OutboundConnection(std::move(state)));
}

bool OutboundConnection::write_all(std::string_view data, std::string& error) {
    State& s = *state_;
    const auto deadline = SteadyClock::now() + s.io_timeout;
    while (!data.empty()) {
        if (s.ssl) {
            std::size_t done = 0;
            const int rc =
                s.tls_step([&] { return SSL_write_ex(s.ssl, data.data(), data.size(), &done); },
                           deadline, error);
            if (rc <= 0) {
                if (error.empty()) error = "connection closed";
                return false;
            }
            data.remove_prefix(done);
            continue;
        }
        const ssize_t n = ::send(s.fd, data.data(), data.size(), MSG_NOSIGNAL);
        if (n > 0) {
            data.remove_prefix(static_cast<std::size_t>(n));
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            if (!wait_fd(s.fd, POLLOUT, deadline)) {
                error = "write timed out";
                return false;
            }
            continue;
        }
        error = n < 0 ? std::string("write: ") + std::strerror(errno) : "write: connection closed";
        return false;
    }
    return true;
}

long OutboundConnection::read_some(char* buffer, std::size_t size,
                                   std::chrono::milliseconds timeout, std::string& error) {
    State& s = *state_;
    const auto deadline = SteadyClock::now() + timeout;
    if (s.ssl) {
        std::size_t done = 0;
        const int rc =
            s.tls_step([&] { return SSL_read_ex(s.ssl, buffer, size, &done); }, deadline, error);
        if (rc < 0) return -1;
        return rc == 0 ? 0 : static_cast<long>(done);
    }
    for (;;) {
        const ssize_t n = ::recv(s.fd, buffer, size, 0);
        if (n >= 0) return static_cast<long>(n);
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            if (!wait_fd(s.fd, POLLIN, deadline)) {
                error = "read timed out";
                return -1;
            }
            continue;
        }
        error = std::string("read: ") + std::strerror(errno);
        return -1;
    }
}

bool OutboundConnection::peer_closed() {
    State& s = *state_;
    for (;;) {
        pollfd p{s.fd, POLLIN, 0};
        if (::poll(&p, 1, 0) <= 0) return false;
        if (p.revents & (POLLERR | POLLHUP)) return true;
        char buf[4096];
        std::string error;
        const long n = read_some(buf, sizeof buf, std::chrono::milliseconds(1), error);
        if (n == 0) return true;
        if (n < 0) return error != "read timed out" && error != "TLS timed out";
        // Unexpected bytes from a log receiver: ignore them and look again.
    }
}

bool OutboundConnection::close_gracefully(std::chrono::milliseconds timeout) {
    State& s = *state_;
    const auto deadline = SteadyClock::now() + timeout;
    if (s.ssl) SSL_shutdown(s.ssl);  // sends close_notify; the reply is read below
    ::shutdown(s.fd, SHUT_WR);
    char buf[4096];
    for (;;) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now());
        if (left.count() <= 0) return false;
        std::string error;
        const long n = read_some(buf, sizeof buf, left, error);
        if (n == 0) return true;
        if (n < 0) return false;
    }
}

}  // namespace minewall::weblog
