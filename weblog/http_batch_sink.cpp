#include "weblog/http_batch_sink.hpp"

#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <charconv>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "weblog/delivery_queue.hpp"
#include "weblog/feed_options.hpp"
#include "weblog/outbound_connection.hpp"

namespace minewall::weblog {
namespace {

using SteadyClock = std::chrono::steady_clock;

constexpr std::size_t kMaxHead = 64 * 1024;
constexpr std::size_t kKeptBody = 2048;  // of an error answer, for the operator

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return out;
}

struct HttpAnswer {
    int status = 0;
    bool close = false;
    std::string body;
};

// Reads one HTTP/1.x response from `conn`. nullopt (and `error`) on I/O or syntax errors.
std::optional<HttpAnswer> read_answer(OutboundConnection& conn, std::chrono::milliseconds timeout,
                                      std::string& error) {
    const auto deadline = SteadyClock::now() + timeout;
    std::string buf;
    char chunk[8192];
    auto fill = [&]() -> bool {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now());
        if (left.count() <= 0) {
            error = "response timed out";
            return false;
        }
        const long n = conn.read_some(chunk, sizeof chunk, left, error);
        if (n <= 0) {
            if (n == 0) error = "connection closed before the response ended";
            return false;
        }
        buf.append(chunk, static_cast<std::size_t>(n));
        return true;
    };
    std::size_t head_end;
    while ((head_end = buf.find("\r\n\r\n")) == std::string::npos) {
        if (buf.size() > kMaxHead) {
            error = "response head too large";
            return std::nullopt;
        }
        if (!fill()) return std::nullopt;
    }
    HttpAnswer answer;
    const std::string_view head(buf.data(), head_end);
    const std::size_t line_end = head.find("\r\n");
    const std::string_view status_line = head.substr(0, line_end);
    if (!status_line.starts_with("HTTP/1.") || status_line.size() < 12) {
        error = "not an HTTP/1.x response";
        return std::nullopt;
    }
    std::from_chars(status_line.data() + 9, status_line.data() + 12, answer.status);
    answer.close = status_line.starts_with("HTTP/1.0");
    std::optional<std::size_t> length;
    bool chunked = false;
    std::size_t pos = line_end == std::string_view::npos ? head.size() : line_end + 2;
    while (pos < head.size()) {
        std::size_t eol = head.find("\r\n", pos);
        if (eol == std::string_view::npos) eol = head.size();
        const std::string_view line = head.substr(pos, eol - pos);
        pos = eol + 2;
        const std::size_t colon = line.find(':');
        if (colon == std::string_view::npos) continue;
        const std::string name = lower(line.substr(0, colon));
        std::string_view value = line.substr(colon + 1);
        while (!value.empty() && value.front() == ' ')
            value.remove_prefix(1);
        if (name == "content-length") {
            std::size_t n = 0;
            std::from_chars(value.data(), value.data() + value.size(), n);
            length = n;
        } else if (name == "transfer-encoding") {
            chunked = lower(value).find("chunked") != std::string::npos;
        } else if (name == "connection") {
            answer.close = lower(value).find("close") != std::string::npos;
        }
    }
    buf.erase(0, head_end + 4);
    if (chunked) {
        // Decode chunks; keep the first kKeptBody bytes.
        for (;;) {
            std::size_t eol;
            while ((eol = buf.find("\r\n")) == std::string::npos) {
                if (!fill()) return std::nullopt;
            }
            std::size_t size = 0;
            std::from_chars(buf.data(), buf.data() + eol, size, 16);
            buf.erase(0, eol + 2);
            while (buf.size() < size + 2) {
                if (!fill()) return std::nullopt;
            }
            if (answer.body.size() < kKeptBody)
                answer.body.append(buf, 0, std::min(size, kKeptBody));
            buf.erase(0, size + 2);
            if (size == 0) break;  // (trailers are not used by log receivers)
        }
    } else if (length) {
        while (buf.size() < *length) {
            if (!fill()) return std::nullopt;
        }
        answer.body = buf.substr(0, std::min(*length, kKeptBody));
    } else if (answer.status >= 200 && answer.status != 204 && answer.status != 304) {
        answer.close = true;  // body runs to the end of the connection
        while (buf.size() < kKeptBody && fill()) {
        }
        answer.body = buf.substr(0, kKeptBody);
        error.clear();
    }
    return answer;
}

void block_sigpipe() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

}  // namespace

std::optional<HttpUrl> parse_http_url(std::string_view url, std::string& error) {
    HttpUrl out;
    if (url.starts_with("https://")) {
        out.tls = true;
        url.remove_prefix(8);
    } else if (url.starts_with("http://")) {
        url.remove_prefix(7);
    } else {
        error = "URL must start with http:// or https://";
        return std::nullopt;
    }
    const std::size_t slash = url.find('/');
    const std::string_view authority = url.substr(0, slash);
    out.target = slash == std::string_view::npos ? "/" : std::string(url.substr(slash));
    out.host_header = std::string(authority);
    if (authority.empty()) {
        error = "URL has no host";
        return std::nullopt;
    }
    const bool bracketed = authority.front() == '[';
    const std::size_t colon = authority.rfind(':');
    const bool has_port = colon != std::string_view::npos &&
                          (bracketed ? colon > authority.find(']') : authority.find(':') == colon);
    if (has_port) {
        const auto hp = parse_host_port(authority);
        if (!hp) {
            error = "bad host:port in URL";
            return std::nullopt;
        }
        out.host = hp->first;
        out.port = hp->second;
    } else {
        out.host = std::string(bracketed ? authority.substr(1, authority.size() - 2) : authority);
        out.port = out.tls ? 443 : 80;
    }
    return out;
}

struct HttpBatchSink::Impl {
    std::string name;
    HttpDestination destination;
    HttpUrl url;
    DeliveryOptions delivery;
    DeliveryQueue queue;

    std::atomic<bool> stop{false};
    std::atomic<bool> connected{false};
    std::atomic<std::uint64_t> written{0};
    std::atomic<std::uint64_t> rejected{0};  // HTTP 400
    std::mutex stop_mutex;
    std::condition_variable stop_cv;
    mutable std::mutex error_mutex;
    std::string last_error;
    std::thread thread;

    // Sink thread only:
    std::unique_ptr<OutboundConnection> connection;
    std::vector<std::string> batch;
    std::chrono::milliseconds backoff;
    SteadyClock::time_point next_attempt{};

    Impl(std::string n, HttpDestination d, HttpUrl u, DeliveryOptions o,
         std::unique_ptr<SpillFile> spill)
        : name(std::move(n)),
          destination(std::move(d)),
          url(std::move(u)),
          delivery(std::move(o)),
          queue(delivery.memory_records, std::move(spill)),
          backoff(delivery.backoff_initial) {}

    void set_error(std::string e) {
        std::lock_guard lock(error_mutex);
        last_error = std::move(e);
    }

    void sleep_until(SteadyClock::time_point until) {
        std::unique_lock lock(stop_mutex);
        stop_cv.wait_until(lock, until, [&] { return stop.load(); });
    }

    void run() {
        block_sigpipe();
        bool stop_seen = false;
        SteadyClock::time_point stop_deadline = SteadyClock::time_point::max();
        for (;;) {
            if (stop && !stop_seen) {
                stop_seen = true;
                stop_deadline = SteadyClock::now() + delivery.shutdown_timeout;
            }
            if (stop_seen &&
                ((batch.empty() && queue.size() == 0) || SteadyClock::now() >= stop_deadline)) {
                break;
            }
            if (batch.empty()) {
                fill_batch(stop_seen);
                if (batch.empty()) continue;
            }
            if (SteadyClock::now() < next_attempt) {
                sleep_until(std::min(next_attempt, stop_deadline));
                continue;
            }
            post();
        }
        connection.reset();
        connected = false;
        queue.persist(batch);
        batch.clear();
    }

    void fill_batch(bool urgent) {
        const std::size_t max_bytes = std::max<std::size_t>(destination.max_batch_bytes, 1);
        queue.take(batch, SIZE_MAX, max_bytes, std::chrono::milliseconds(100));
        if (batch.empty()) return;
        const auto started = SteadyClock::now();
        std::size_t bytes = 0;
        for (const auto& l : batch)
            bytes += l.size();
        while (bytes < max_bytes && !urgent && !stop) {
            const auto left =
                destination.max_batch_delay -
                std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - started);
            if (left.count() <= 0) break;
            const std::size_t before = batch.size();
            queue.take(batch, SIZE_MAX, max_bytes - bytes, left);
            for (std::size_t i = before; i < batch.size(); ++i)
                bytes += batch[i].size();
        }
    }

    std::string request_for(const std::vector<std::string>& lines) const {
        std::string body;
        if (destination.json_array) {
            body += '[';
            for (std::size_t i = 0; i < lines.size(); ++i) {
                if (i) body += ',';
                const std::string& l = lines[i];
                body.append(l, 0, !l.empty() && l.back() == '\n' ? l.size() - 1 : l.size());
            }
            body += ']';
        } else {
            for (const std::string& l : lines)
                body += l;
        }
        std::string req =
            "POST " + url.target + " HTTP/1.1\r\nHost: " + url.host_header +
            "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
            "\r\nConnection: keep-alive\r\n";
        if (!destination.token.empty())
            req += "Authorization: Splunk " + destination.token + "\r\n";
        for (const auto& [k, v] : destination.headers)
            req += k + ": " + v + "\r\n";
        req += "\r\n";
        req += body;
        return req;
    }

    void retry_later(const std::string& error) {
        set_error(error);
        connection.reset();
        connected = false;
        next_attempt = SteadyClock::now() + backoff;
        backoff = std::min(backoff * 2, delivery.backoff_max);
    }

    void post() {
        const std::string request = request_for(batch);
        // A kept-alive connection may have been closed by the server while idle: one fresh
        // attempt is made at once before backing off.
        for (int attempt = 0; attempt < 2; ++attempt) {
            const bool reused = connection != nullptr;
            std::string error;
            if (!connection) {
                connection =
                    OutboundConnection::open(url.host, url.port, destination.tls,
                                             delivery.connect_timeout, delivery.io_timeout, error);
                if (!connection) return retry_later(error);
            }
            connected = true;
            if (!connection->write_all(request, error)) {
                connection.reset();
                if (reused) continue;
                return retry_later(error);
            }
            const auto answer = read_answer(*connection, delivery.io_timeout, error);
            if (!answer) {
                connection.reset();
                if (reused && error.starts_with("connection closed")) continue;
                return retry_later(error);
            }
            if (answer->close) connection.reset();
            if (answer->status >= 200 && answer->status < 300) {
                written += batch.size();
                backoff = delivery.backoff_initial;
            } else if (answer->status == 400) {
                rejected += batch.size();  // the receiver cannot parse it: retrying cannot help
                set_error("HTTP 400, batch of " + std::to_string(batch.size()) +
                          " records dropped: " + answer->body);
            } else {
                return retry_later("HTTP " + std::to_string(answer->status) + ": " + answer->body);
            }
            queue.finished(batch.size());
            batch.clear();
            return;
        }
    }
};

std::unique_ptr<HttpBatchSink> HttpBatchSink::open(const std::string& feed_name,
                                                   const HttpDestination& destination,
                                                   const DeliveryOptions& delivery,
                                                   std::string& error) {
    auto url = parse_http_url(destination.url, error);
    if (!url) {
        error = "HTTP destination '" + destination.url + "': " + error;
        return nullptr;
    }
    HttpDestination d = destination;
    d.tls.enabled = url->tls;
    std::unique_ptr<SpillFile> spill;
    if (!delivery.spill_dir.empty()) {
        spill = SpillFile::open(delivery.spill_dir, feed_name, delivery.spill_max_bytes, error);
        if (!spill) return nullptr;
    }
    auto impl = std::make_unique<Impl>(feed_name, std::move(d), std::move(*url), delivery,
                                       std::move(spill));
    Impl* raw = impl.get();
    raw->thread = std::thread([raw] { raw->run(); });
    return std::unique_ptr<HttpBatchSink>(new HttpBatchSink(std::move(impl)));
}

HttpBatchSink::HttpBatchSink(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpBatchSink::~HttpBatchSink() {
    close();
}

void HttpBatchSink::write(std::vector<std::string>& lines) {
    impl_->queue.push(lines);
}

void HttpBatchSink::close() {
    if (!impl_->thread.joinable()) return;
    {
        std::lock_guard lock(impl_->stop_mutex);
        impl_->stop = true;
    }
    impl_->stop_cv.notify_all();
    impl_->queue.interrupt();
    impl_->thread.join();
}

bool HttpBatchSink::idle() const {
    return impl_->queue.size() == 0 && impl_->queue.in_flight() == 0;
}

SinkStats HttpBatchSink::stats() const {
    SinkStats s;
    s.written = impl_->written;
    s.queued = impl_->queue.size() + impl_->queue.in_flight();
    s.spilled = impl_->queue.spilled();
    s.replayed = impl_->queue.replayed();
    s.dropped = impl_->queue.dropped() + impl_->rejected;
    s.connected = impl_->connected;
    std::lock_guard lock(impl_->error_mutex);
    s.last_error = impl_->last_error;
    return s;
}

}  // namespace minewall::weblog
