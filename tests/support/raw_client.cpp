#include "tests/support/raw_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>

namespace minewall::testing {

namespace {

int connect_loopback(std::uint16_t port) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        ::close(fd);
        throw std::runtime_error("cannot connect to 127.0.0.1:" + std::to_string(port));
    }
    return fd;
}

void send_all(int fd, const std::string& bytes) {
    std::size_t sent = 0;
    while (sent < bytes.size()) {
        auto n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) break;
        sent += static_cast<std::size_t>(n);
    }
}

// Appends what fd receives to `into` until stop(into) holds or the deadline passes (false),
// or the peer closes (true).
template <class Stop>
bool receive_until(int fd, std::string& into, std::chrono::steady_clock::time_point deadline,
                   Stop stop) {
    char buffer[16384];
    while (!stop(into)) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) return false;
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
        auto n = ::recv(fd, buffer, sizeof buffer, 0);
        if (n <= 0) return true;
        into.append(buffer, static_cast<std::size_t>(n));
    }
    return false;
}

}  // namespace

RawConnection::RawConnection(std::uint16_t port) : fd_(connect_loopback(port)) {}

RawConnection::~RawConnection() {
    ::close(fd_);
}

void RawConnection::send(const std::string& bytes) {
    send_all(fd_, bytes);
}

const std::string& RawConnection::read_until(const std::string& marker,
                                             std::chrono::milliseconds timeout) {
    if (closed_by_peer_) return received_;
    closed_by_peer_ = receive_until(
        fd_, received_, std::chrono::steady_clock::now() + timeout,
        [&marker](const std::string& so_far) { return so_far.find(marker) != std::string::npos; });
    return received_;
}

RawExchange raw_exchange(std::uint16_t port, const std::string& request,
                         std::chrono::milliseconds timeout) {
    int fd = connect_loopback(port);
    RawExchange result;
    send_all(fd, request);
    result.closed_by_peer =
        receive_until(fd, result.response, std::chrono::steady_clock::now() + timeout,
                      [](const std::string&) { return false; });
    ::close(fd);
    return result;
}

}  // namespace minewall::testing
