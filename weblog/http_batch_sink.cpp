#include "weblog/http_batch_sink.hpp"

#include <charconv>

#include "text/ascii_text.hpp"
#include "weblog/delivery_loop.hpp"
#include "weblog/feed_options.hpp"

namespace minewall::weblog {
namespace {

using SteadyClock = std::chrono::steady_clock;

constexpr std::size_t kMaxHead = 64 * 1024;
constexpr std::size_t kKeptBody = 2048;  // of an error answer, for the operator

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
        const std::string name = text::to_lower(line.substr(0, colon));
        std::string_view value = line.substr(colon + 1);
        while (!value.empty() && value.front() == ' ')
            value.remove_prefix(1);
        if (name == "content-length") {
            std::size_t n = 0;
            std::from_chars(value.data(), value.data() + value.size(), n);
            length = n;
        } else if (name == "transfer-encoding") {
            chunked = text::to_lower(value).find("chunked") != std::string::npos;
        } else if (name == "connection") {
            answer.close = text::to_lower(value).find("close") != std::string::npos;
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

namespace {

// Batches by size and time, one POST at a time on a kept-alive connection; 2xx delivers,
// 400 drops (counted), anything else retries the same batch later.
class HttpBatchDelivery final : public DeliveryProtocol {
  public:
    HttpBatchDelivery(HttpDestination destination, HttpUrl url)
        : destination_(std::move(destination)), url_(std::move(url)) {}

    void deliver(DeliveryLoop& loop, bool stopping, Clock::time_point limit) override {
        if (batch_.empty()) {
            fill_batch(loop, stopping);
            if (batch_.empty()) return;
        }
        if (loop.wait_for_retry(limit)) return;
        post(loop);
    }

    bool holds_records() const override { return !batch_.empty(); }

    void finish(DeliveryLoop& loop) override {
        loop.disconnect();
        loop.queue().persist(batch_);
        batch_.clear();
    }

  private:
    // Takes what is queued, then (unless `urgent`) waits up to max_batch_delay for more
    // until max_batch_bytes.
    void fill_batch(DeliveryLoop& loop, bool urgent) {
        DeliveryQueue& queue = loop.queue();
        const std::size_t max_bytes = std::max<std::size_t>(destination_.max_batch_bytes, 1);
        queue.take(batch_, SIZE_MAX, max_bytes, std::chrono::milliseconds(100));
        if (batch_.empty()) return;
        const auto started = Clock::now();
        std::size_t bytes = 0;
        for (const auto& l : batch_)
            bytes += l.size();
        while (bytes < max_bytes && !urgent && !loop.stop_requested()) {
            const auto left =
                destination_.max_batch_delay -
                std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
            if (left.count() <= 0) break;
            const std::size_t before = batch_.size();
            queue.take(batch_, SIZE_MAX, max_bytes - bytes, left);
            for (std::size_t i = before; i < batch_.size(); ++i)
                bytes += batch_[i].size();
        }
    }

    std::string request_for(const std::vector<std::string>& lines) const {
        std::string body;
        if (destination_.json_array) {
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
            "POST " + url_.target + " HTTP/1.1\r\nHost: " + url_.host_header +
            "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
            "\r\nConnection: keep-alive\r\n";
        if (!destination_.token.empty())
            req += "Authorization: Splunk " + destination_.token + "\r\n";
        for (const auto& [k, v] : destination_.headers)
            req += k + ": " + v + "\r\n";
        req += "\r\n";
        req += body;
        return req;
    }

    void post(DeliveryLoop& loop) {
        const std::string request = request_for(batch_);
        // A kept-alive connection may have been closed by the server while idle: one fresh
        // attempt is made at once before backing off.
        for (int attempt = 0; attempt < 2; ++attempt) {
            const bool reused = loop.connection() != nullptr;
            if (!reused && !loop.connect(url_.host, url_.port, destination_.tls)) return;
            OutboundConnection& connection = *loop.connection();
            std::string error;
            if (!connection.write_all(request, error)) {
                loop.drop_connection();
                if (reused) continue;
                return loop.retry_later(error);
            }
            const auto answer = read_answer(connection, loop.options().io_timeout, error);
            if (!answer) {
                loop.drop_connection();
                if (reused && error.starts_with("connection closed")) continue;
                return loop.retry_later(error);
            }
            if (answer->close) loop.drop_connection();
            if (answer->status >= 200 && answer->status < 300) {
                loop.count_written(batch_.size());
                loop.reset_backoff();
            } else if (answer->status == 400) {
                // The receiver cannot parse it: retrying cannot help.
                loop.count_rejected(batch_.size());
                loop.set_error("HTTP 400, batch of " + std::to_string(batch_.size()) +
                               " records dropped: " + answer->body);
            } else {
                return loop.retry_later("HTTP " + std::to_string(answer->status) + ": " +
                                        answer->body);
            }
            loop.queue().finished(batch_.size());
            batch_.clear();
            return;
        }
    }

    const HttpDestination destination_;
    const HttpUrl url_;
    std::vector<std::string> batch_;  // taken from the queue, sent until 2xx or 400
};

}  // namespace

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
    auto loop = DeliveryLoop::start(
        feed_name, delivery, std::make_unique<HttpBatchDelivery>(std::move(d), std::move(*url)),
        error);
    if (!loop) return nullptr;
    return std::unique_ptr<HttpBatchSink>(new HttpBatchSink(std::move(loop)));
}

}  // namespace minewall::weblog
