#pragma once
// Log receivers on 127.0.0.1 for the sink tests: a line/octet-counted stream receiver (plain
// or TLS) that can die mid-stream and come back on the same port, and an HTTP receiver that
// answers from a script of status codes. Each runs on its own thread.
#include <openssl/ssl.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace minewall::weblog::test {

// Binds and listens on 127.0.0.1:port (0 = any free port, written back). -1 on failure.
int listen_loopback(std::uint16_t& port);

// A port nothing listens on (bound once, then closed).
std::uint16_t unused_port();

// A self-signed certificate for 127.0.0.1 / localhost, written as PEM files.
struct TestCertificate {
    std::filesystem::path cert_file;
    std::filesystem::path key_file;
};
TestCertificate make_test_certificate(const std::filesystem::path& dir);

class LineReceiver {
  public:
    enum class Framing { Newline, OctetCounting };
    // `tls`: serve TLS with this certificate.
    explicit LineReceiver(Framing framing = Framing::Newline, const TestCertificate* tls = nullptr);
    ~LineReceiver();

    std::uint16_t port() const { return port_; }
    // After `n` complete records on the current connection, reset it and stop listening
    // (unread data is lost, as when a receiver crashes).
    void die_after(std::size_t n);
    bool wait_dead(std::chrono::milliseconds timeout);
    void restart();  // listen again on the same port

    std::vector<std::vector<std::string>> connections() const;  // records per connection
    std::size_t total() const;
    bool wait_total(std::size_t n, std::chrono::milliseconds timeout) const;
    bool wait_contains(const std::string& record, std::chrono::milliseconds timeout) const;

  private:
    void run();
    void serve(int fd);

    Framing framing_;
    SSL_CTX* ctx_ = nullptr;
    std::uint16_t port_ = 0;
    int listen_fd_ = -1;
    std::atomic<bool> stop_{false};
    mutable std::mutex mutex_;
    mutable std::condition_variable changed_;
    std::vector<std::vector<std::string>> connections_;
    std::size_t die_after_ = 0;
    bool dead_ = false;
    bool restart_ = false;
    std::thread thread_;
};

class HttpReceiver {
  public:
    struct Request {
        std::string head;
        std::string body;
        int answered = 0;
    };
    explicit HttpReceiver(std::deque<int> statuses = {}, std::uint16_t port = 0);
    ~HttpReceiver();

    std::uint16_t port() const { return port_; }
    // From now on, close each connection after answering, without saying so in the answer
    // (as a server ending an idle kept-alive connection does).
    void close_after_each_answer() { close_after_answer_ = true; }
    std::vector<Request> requests() const;
    // Records (lines) of the requests answered 2xx, in arrival order.
    std::vector<std::string> accepted_records() const;
    bool wait_accepted(std::size_t records, std::chrono::milliseconds timeout) const;

  private:
    void run();
    void serve(int fd);

    std::uint16_t port_ = 0;
    int listen_fd_ = -1;
    std::atomic<bool> stop_{false};
    mutable std::mutex mutex_;
    mutable std::condition_variable changed_;
    std::atomic<bool> close_after_answer_{false};
    std::deque<int> statuses_;
    std::vector<Request> requests_;
    std::thread thread_;
};

}  // namespace minewall::weblog::test
