#include "tests/unit/weblog/loopback_receivers.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <sstream>

namespace minewall::weblog::test {
namespace {

bool readable(int fd, int ms) {
    pollfd p{fd, POLLIN, 0};
    return ::poll(&p, 1, ms) > 0;
}

void reset_and_close(int fd) {
    linger l{1, 0};  // RST: unread data is discarded like in a crash
    ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
    ::close(fd);
}

}  // namespace

int listen_loopback(std::uint16_t& port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    const int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd, 16) != 0) {
        ::close(fd);
        return -1;
    }
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    port = ntohs(addr.sin_port);
    return fd;
}

std::uint16_t unused_port() {
    std::uint16_t port = 0;
    const int fd = listen_loopback(port);
    ::close(fd);
    return port;
}

TestCertificate make_test_certificate(const std::filesystem::path& dir) {
    EVP_PKEY* key = EVP_EC_gen("P-256");
    X509* cert = X509_new();
    X509_set_version(cert, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert), -60);
    X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
    X509_set_pubkey(cert, key);
    X509_NAME* name = X509_get_subject_name(cert);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>("minewall test receiver"), -1,
                               -1, 0);
    X509_set_issuer_name(cert, name);
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
    for (const auto& [nid, value] : {std::pair{NID_subject_alt_name, "IP:127.0.0.1,DNS:localhost"},
                                     std::pair{NID_basic_constraints, "critical,CA:TRUE"}}) {
        X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
        X509_add_ext(cert, ext, -1);
        X509_EXTENSION_free(ext);
    }
    X509_sign(cert, key, EVP_sha256());
    TestCertificate out{dir / "receiver.pem", dir / "receiver.key"};
    FILE* c = std::fopen(out.cert_file.c_str(), "w");
    PEM_write_X509(c, cert);
    std::fclose(c);
    FILE* k = std::fopen(out.key_file.c_str(), "w");
    PEM_write_PrivateKey(k, key, nullptr, nullptr, 0, nullptr, nullptr);
    std::fclose(k);
    X509_free(cert);
    EVP_PKEY_free(key);
    return out;
}

// ---------------------------------------------------------------- LineReceiver

LineReceiver::LineReceiver(Framing framing, const TestCertificate* tls) : framing_(framing) {
    if (tls) {
        ctx_ = SSL_CTX_new(TLS_server_method());
        SSL_CTX_use_certificate_file(ctx_, tls->cert_file.c_str(), SSL_FILETYPE_PEM);
        SSL_CTX_use_PrivateKey_file(ctx_, tls->key_file.c_str(), SSL_FILETYPE_PEM);
    }
    listen_fd_ = listen_loopback(port_);
    thread_ = std::thread([this] { run(); });
}

LineReceiver::~LineReceiver() {
    stop_ = true;
    changed_.notify_all();
    thread_.join();
    if (listen_fd_ >= 0) ::close(listen_fd_);
    if (ctx_) SSL_CTX_free(ctx_);
}

void LineReceiver::die_after(std::size_t n) {
    std::lock_guard lock(mutex_);
    die_after_ = n;
}

bool LineReceiver::wait_dead(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] { return dead_; });
}

void LineReceiver::restart() {
    {
        std::lock_guard lock(mutex_);
        restart_ = true;
    }
    changed_.notify_all();
}

std::vector<std::vector<std::string>> LineReceiver::connections() const {
    std::lock_guard lock(mutex_);
    return connections_;
}

std::size_t LineReceiver::total() const {
    std::lock_guard lock(mutex_);
    std::size_t n = 0;
    for (const auto& c : connections_)
        n += c.size();
    return n;
}

bool LineReceiver::wait_total(std::size_t n, std::chrono::milliseconds timeout) const {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] {
        std::size_t t = 0;
        for (const auto& c : connections_)
            t += c.size();
        return t >= n;
    });
}

bool LineReceiver::wait_contains(const std::string& record,
                                 std::chrono::milliseconds timeout) const {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] {
        for (const auto& c : connections_) {
            for (const auto& r : c) {
                if (r == record) return true;
            }
        }
        return false;
    });
}

void LineReceiver::run() {
    while (!stop_) {
        {
            std::unique_lock lock(mutex_);
            if (dead_) {
                changed_.wait_for(lock, std::chrono::milliseconds(20),
                                  [&] { return restart_ || stop_; });
                if (!restart_) continue;
                restart_ = false;
                dead_ = false;
                lock.unlock();
                listen_fd_ = listen_loopback(port_);
                continue;
            }
        }
        if (!readable(listen_fd_, 20)) continue;
        const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0) continue;
        {
            std::lock_guard lock(mutex_);
            connections_.emplace_back();
        }
        serve(fd);
    }
}

void LineReceiver::serve(int fd) {
    SSL* ssl = nullptr;
    if (ctx_) {
        ssl = SSL_new(ctx_);
        SSL_set_fd(ssl, fd);
        if (SSL_accept(ssl) != 1) {
            SSL_free(ssl);
            ::close(fd);
            return;
        }
    }
    std::string buf;
    char chunk[4096];
    while (!stop_) {
        if (!(ssl && SSL_pending(ssl) > 0) && !readable(fd, 20)) continue;
        const long n = ssl ? SSL_read(ssl, chunk, sizeof chunk) : ::read(fd, chunk, sizeof chunk);
        if (n <= 0) break;  // end of stream (or error): the connection is over
        buf.append(chunk, static_cast<std::size_t>(n));
        std::vector<std::string> records;
        for (;;) {
            if (framing_ == Framing::Newline) {
                const std::size_t nl = buf.find('\n');
                if (nl == std::string::npos) break;
                records.push_back(buf.substr(0, nl));
                buf.erase(0, nl + 1);
            } else {
                const std::size_t sp = buf.find(' ');
                if (sp == std::string::npos) break;
                const std::size_t len = std::stoul(buf.substr(0, sp));
                if (buf.size() < sp + 1 + len) break;
                records.push_back(buf.substr(sp + 1, len));
                buf.erase(0, sp + 1 + len);
            }
        }
        bool die = false;
        {
            std::lock_guard lock(mutex_);
            auto& current = connections_.back();
            for (auto& r : records) {
                if (die_after_ > 0 && current.size() >= die_after_) {
                    die = true;
                    break;
                }
                current.push_back(std::move(r));
            }
            if (die_after_ > 0 && current.size() >= die_after_) die = true;
        }
        changed_.notify_all();
        if (die) {
            if (ssl) SSL_free(ssl);
            reset_and_close(fd);
            ::close(listen_fd_);
            listen_fd_ = -1;
            std::lock_guard lock(mutex_);
            die_after_ = 0;
            dead_ = true;
            changed_.notify_all();
            return;
        }
    }
    if (ssl) {
        SSL_shutdown(ssl);
        SSL_free(ssl);
    }
    ::close(fd);
}

// ---------------------------------------------------------------- HttpReceiver

HttpReceiver::HttpReceiver(std::deque<int> statuses, std::uint16_t port)
    : port_(port), statuses_(std::move(statuses)) {
    listen_fd_ = listen_loopback(port_);
    thread_ = std::thread([this] { run(); });
}

HttpReceiver::~HttpReceiver() {
    stop_ = true;
    thread_.join();
    ::close(listen_fd_);
}

std::vector<HttpReceiver::Request> HttpReceiver::requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
}

std::vector<std::string> HttpReceiver::accepted_records() const {
    std::lock_guard lock(mutex_);
    std::vector<std::string> out;
    for (const Request& r : requests_) {
        if (r.answered < 200 || r.answered >= 300) continue;
        std::istringstream in(r.body);
        for (std::string line; std::getline(in, line);)
            out.push_back(line);
    }
    return out;
}

bool HttpReceiver::wait_accepted(std::size_t records, std::chrono::milliseconds timeout) const {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (accepted_records().size() < records) {
        if (std::chrono::steady_clock::now() >= deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return true;
}

void HttpReceiver::run() {
    while (!stop_) {
        if (!readable(listen_fd_, 20)) continue;
        const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd >= 0) serve(fd);
    }
}

void HttpReceiver::serve(int fd) {
    std::string buf;
    char chunk[8192];
    while (!stop_) {
        std::size_t head_end;
        while ((head_end = buf.find("\r\n\r\n")) == std::string::npos) {
            if (stop_) break;
            if (!readable(fd, 20)) continue;
            const ssize_t n = ::read(fd, chunk, sizeof chunk);
            if (n <= 0) {
                ::close(fd);
                return;
            }
            buf.append(chunk, static_cast<std::size_t>(n));
        }
        if (stop_) break;
        Request req;
        req.head = buf.substr(0, head_end);
        std::size_t length = 0;
        const auto cl = req.head.find("Content-Length: ");
        if (cl != std::string::npos) length = std::stoul(req.head.substr(cl + 16));
        buf.erase(0, head_end + 4);
        while (buf.size() < length) {
            if (!readable(fd, 20)) continue;
            const ssize_t n = ::read(fd, chunk, sizeof chunk);
            if (n <= 0) {
                ::close(fd);
                return;
            }
            buf.append(chunk, static_cast<std::size_t>(n));
        }
        req.body = buf.substr(0, length);
        buf.erase(0, length);
        {
            std::lock_guard lock(mutex_);
            req.answered = 200;
            if (!statuses_.empty()) {
                req.answered = statuses_.front();
                statuses_.pop_front();
            }
            requests_.push_back(req);
        }
        const std::string body = req.answered == 200 ? R"({"text":"Success","code":0})"
                                                     : R"({"text":"Try later","code":9})";
        const std::string answer = "HTTP/1.1 " + std::to_string(req.answered) +
                                   " X\r\nContent-Type: application/json\r\nContent-Length: " +
                                   std::to_string(body.size()) + "\r\n\r\n" + body;
        if (::write(fd, answer.data(), answer.size()) != static_cast<ssize_t>(answer.size())) break;
        if (close_after_answer_) break;
    }
    ::close(fd);
}

}  // namespace minewall::weblog::test
