#include "proxy/forward/upstream_pool.hpp"

#include <sys/socket.h>

#include <cerrno>

namespace minewall::proxy {

namespace {

// An idle HTTP connection must be silent: readable means the origin closed it (EOF) or sent
// something unsolicited; either way it cannot carry another request.
bool still_open_and_silent(ByteStream& stream) {
    if (stream.has_buffered_input()) return false;  // TLS: decrypted bytes nobody asked for
    char byte;
    auto fd = stream.transport().socket().native_handle();
    ssize_t n = ::recv(fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

}  // namespace

std::optional<UpstreamConnection> UpstreamPool::take(const std::string& key) {
    auto it = idle_.find(key);
    if (it == idle_.end()) return std::nullopt;
    auto now = Clock::now();
    auto& list = it->second;
    while (!list.empty()) {
        Idle entry = std::move(list.front());
        list.pop_front();
        if (entry.expires > now && still_open_and_silent(*entry.connection.stream)) {
            if (list.empty()) idle_.erase(it);
            entry.connection.reused = true;
            return std::move(entry.connection);
        }
    }
    idle_.erase(it);
    return std::nullopt;
}

const UpstreamConnection* UpstreamPool::peek(const std::string& key) const {
    auto it = idle_.find(key);
    // Newest first: when the newest has expired, so have the others.
    if (it == idle_.end() || it->second.empty() || it->second.front().expires <= Clock::now())
        return nullptr;
    return &it->second.front().connection;
}

void UpstreamPool::give_back(const std::string& key, UpstreamConnection connection,
                             std::chrono::milliseconds idle_timeout, std::size_t max_per_host) {
    if (max_per_host == 0) return;
    auto& list = idle_[key];
    list.push_front(Idle{std::move(connection), Clock::now() + idle_timeout});
    while (list.size() > max_per_host)
        list.pop_back();
}

void UpstreamPool::sweep() {
    auto now = Clock::now();
    for (auto it = idle_.begin(); it != idle_.end();) {
        auto& list = it->second;
        list.remove_if([&](Idle& e) {
            return e.expires <= now || !still_open_and_silent(*e.connection.stream);
        });
        it = list.empty() ? idle_.erase(it) : std::next(it);
    }
}

std::size_t UpstreamPool::idle_count() const {
    std::size_t n = 0;
    for (const auto& [key, list] : idle_)
        n += list.size();
    return n;
}

}  // namespace minewall::proxy
