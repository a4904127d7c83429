// Integration tests; see the README claims they cover: blocking at the TLS ClientHello stage,
// the TLS 1.2 floor towards origins, monitor mode, pool IPs and miner URLs, feeds of every
// format and source, and the failure path after an early CONNECT 200.
#include <doctest/doctest.h>

#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <memory>
#include <mutex>
#include <regex>
#include <thread>
#include <vector>

#include "tests/support/eventually.hpp"
#include "tests/support/minewall_process.hpp"
#include "tests/support/nss_log.hpp"
#include "tests/support/origin_server.hpp"
#include "tests/support/tls_origin.hpp"

using namespace minewall::testing;

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;
using boost::system::error_code;
using namespace std::chrono_literals;

bool has_json_pair(const std::string& line, const std::string& key, const std::string& value) {
    return line.find("\"" + key + "\":\"" + value + "\"") != std::string::npos;
}


// A TCP origin on any loopback address (127.0.0.2 too) that counts connections and the bytes
// they carry, and answers whatever arrives with a small HTTP response before closing: a
// stand-in for a pool that must never be reached, which still ends a request quickly when the
// product under test does reach it.
class CountingOrigin {
  public:
    explicit CountingOrigin(const std::string& address = "127.0.0.1")
        : acceptor_(context_, {asio::ip::make_address(address), 0}) {
        accept_thread_ = std::thread([this] { accept_loop(); });
    }
    ~CountingOrigin() {
        // A blocking accept() is not woken by closing the acceptor: connect to it instead.
        stopping_ = true;
        error_code ignored;
        tcp::socket wake(context_);
        wake.connect(acceptor_.local_endpoint(), ignored);
        accept_thread_.join();
        std::lock_guard lock(mutex_);
        for (auto& socket : sockets_)
            socket->shutdown(tcp::socket::shutdown_both, ignored);
        for (auto& thread : threads_)
            thread.join();
    }
    CountingOrigin(const CountingOrigin&) = delete;
    CountingOrigin& operator=(const CountingOrigin&) = delete;

    std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
    std::string address() const { return acceptor_.local_endpoint().address().to_string(); }
    std::string authority() const { return address() + ":" + std::to_string(port()); }
    std::uint64_t connections() const { return accepted_; }
    std::uint64_t bytes_received() const { return bytes_; }
    // Every accepted connection closed by its peer, so its bytes have all been counted.
    bool wait_all_closed(std::chrono::milliseconds timeout = 10s) const {
        return eventually([this] { return closed_ == accepted_; }, timeout);
    }

  private:
    void accept_loop() {
        for (;;) {
            auto socket = std::make_shared<tcp::socket>(context_);
            error_code ec;
            acceptor_.accept(*socket, ec);
            if (ec || stopping_) return;
            ++accepted_;
            std::lock_guard lock(mutex_);
            sockets_.push_back(socket);
            threads_.emplace_back([this, socket] { serve(*socket); });
        }
    }
    void serve(tcp::socket& socket) {
        static constexpr std::string_view answer =
            "HTTP/1.1 200 OK\r\nContent-Length: 14\r\nConnection: close\r\n\r\nreached origin";
        char buffer[4096];
        bool answered = false;
        for (;;) {
            error_code ec;
            auto n = socket.read_some(asio::buffer(buffer), ec);
            if (ec) break;
            bytes_ += n;
            if (!answered) asio::write(socket, asio::buffer(answer), ec);
            answered = true;
        }
        ++closed_;
    }

    asio::io_context context_;
    tcp::acceptor acceptor_;
    std::atomic<bool> stopping_{false};
    std::atomic<std::uint64_t> accepted_{0};
    std::atomic<std::uint64_t> closed_{0};
    std::atomic<std::uint64_t> bytes_{0};
    std::mutex mutex_;
    std::vector<std::shared_ptr<tcp::socket>> sockets_;
    std::vector<std::thread> threads_;
    std::thread accept_thread_;
};

// `openssl s_server -www` limited by `flags` (e.g. to one TLS version), with the certificate of
// a TlsOrigin's test CA. Port 0: s_server binds a free port and prints "ACCEPT 127.0.0.1:PORT".
class OpensslOrigin {
  public:
    OpensslOrigin(const TlsOrigin& pki, const std::vector<std::string>& flags,
                  const std::string& directory = "") {
        std::vector<std::string> argv{"openssl", "s_server",      "-accept", "127.0.0.1:0",
                                      "-cert",   pki.cert_file(), "-key",    pki.key_file()};
        argv.insert(argv.end(), flags.begin(), flags.end());
        if (!directory.empty()) {
            // -WWW serves files relative to the working directory only.
            std::string command = "cd '" + directory + "' && exec";
            for (const auto& a : argv)
                command += " '" + a + "'";
            argv = {"sh", "-c", command};
        }
        server_ = std::make_unique<ChildProcess>(argv);
        static const std::regex accept_line(R"(ACCEPT 127\.0\.0\.1:(\d+)\n)");
        std::smatch match;
        std::string text;
        REQUIRE_MESSAGE(eventually([&] {
                            text = server_->stdout_text();
                            return std::regex_search(text, match, accept_line);
                        }),
                        "openssl s_server did not start: " << server_->stderr_text());
        port_ = static_cast<std::uint16_t>(std::stoi(match[1]));
    }
    std::uint16_t port() const { return port_; }
    std::string url(const std::string& path = "/") const {
        return "https://localhost:" + std::to_string(port_) + path;
    }

  private:
    std::unique_ptr<ChildProcess> server_;
    std::uint16_t port_ = 0;
};

// A keep-alive HTTPS origin (Beast over TLS) whose listener can be closed while the
// connections it already accepted keep serving: an origin that cannot be reached any more,
// although an idle connection to it is still open in minewall's pool.
class ClosableTlsOrigin {
  public:
    explicit ClosableTlsOrigin(const TlsOrigin& pki)
        : acceptor_(context_, {asio::ip::make_address("127.0.0.1"), 0}),
          port_(acceptor_.local_endpoint().port()) {
        tls_.use_certificate_chain_file(pki.cert_file());
        tls_.use_private_key_file(pki.key_file(), asio::ssl::context::pem);
        accept_thread_ = std::thread([this] { accept_loop(); });
    }
    ~ClosableTlsOrigin() {
        stop_listening();
        error_code ignored;
        std::lock_guard lock(mutex_);
        for (auto& stream : streams_)
            stream->lowest_layer().shutdown(tcp::socket::shutdown_both, ignored);
        for (auto& thread : threads_)
            thread.join();
    }
    ClosableTlsOrigin(const ClosableTlsOrigin&) = delete;
    ClosableTlsOrigin& operator=(const ClosableTlsOrigin&) = delete;

    // New connections are refused from now on; accepted ones go on.
    void stop_listening() {
        if (!accept_thread_.joinable()) return;
        stopping_ = true;
        error_code ignored;
        tcp::socket wake(context_);
        wake.connect(acceptor_.local_endpoint(), ignored);
        accept_thread_.join();
        acceptor_.close(ignored);
    }
    std::uint16_t port() const { return port_; }
    std::string url() const { return "https://localhost:" + std::to_string(port_) + "/"; }
    std::uint64_t tcp_connections() const { return accepted_; }
    std::uint64_t requests_served() const { return requests_; }

  private:
    using Stream = asio::ssl::stream<tcp::socket>;
    void accept_loop() {
        for (;;) {
            tcp::socket socket(context_);
            error_code ec;
            acceptor_.accept(socket, ec);
            if (ec || stopping_) return;
            ++accepted_;
            auto stream = std::make_shared<Stream>(std::move(socket), tls_);
            std::lock_guard lock(mutex_);
            streams_.push_back(stream);
            threads_.emplace_back([this, stream] { serve(*stream); });
        }
    }
    void serve(Stream& stream) {
        error_code ec;
        stream.handshake(asio::ssl::stream_base::server, ec);
        beast::flat_buffer buffer;
        while (!ec) {
            http::request<http::string_body> req;
            http::read(stream, buffer, req, ec);
            if (ec) return;
            ++requests_;
            http::response<http::string_body> res{http::status::ok, req.version()};
            res.set(http::field::content_type, "text/plain");
            res.body() = "hello over tls\n";
            res.keep_alive(req.keep_alive());
            res.prepare_payload();
            http::write(stream, res, ec);
        }
    }

    asio::io_context context_;
    asio::ssl::context tls_{asio::ssl::context::tls_server};
    tcp::acceptor acceptor_;
    std::uint16_t port_;
    std::atomic<bool> stopping_{false};
    std::atomic<std::uint64_t> accepted_{0};
    std::atomic<std::uint64_t> requests_{0};
    std::mutex mutex_;
    std::vector<std::shared_ptr<Stream>> streams_;
    std::vector<std::thread> threads_;
    std::thread accept_thread_;
};

// A client that opens its CONNECT tunnel and its TLS session inside it as separate steps, so a
// test can interleave two clients' steps. Every step has a deadline.
class SteppedTunnelClient {
  public:
    SteppedTunnelClient(std::uint16_t proxy_port, const std::string& ca_file) : socket_(context_) {
        tls_.load_verify_file(ca_file);
        tls_.set_verify_mode(asio::ssl::verify_peer);
        socket_.connect({asio::ip::make_address("127.0.0.1"), proxy_port});
    }
    // Sends CONNECT authority and returns the proxy's response head.
    std::string connect(const std::string& authority) {
        const std::string head = "CONNECT " + authority + " HTTP/1.1\r\nHost: " + authority +
                                 "\r\nUser-Agent: stepped-client\r\n\r\n";
        asio::write(socket_, asio::buffer(head));
        asio::async_read_until(socket_, head_buffer_, "\r\n\r\n", [](error_code, std::size_t) {});
        run();
        std::string text(asio::buffers_begin(head_buffer_.data()),
                         asio::buffers_end(head_buffer_.data()));
        return text;
    }
    // The TLS handshake inside the tunnel, checking the certificate against `host`.
    error_code handshake(const std::string& host) {
        stream_ = std::make_unique<asio::ssl::stream<tcp::socket&>>(socket_, tls_);
        SSL_set_tlsext_host_name(stream_->native_handle(), host.c_str());
        stream_->set_verify_callback(asio::ssl::host_name_verification(host));
        error_code result = asio::error::timed_out;
        stream_->async_handshake(asio::ssl::stream_base::client,
                                 [&](error_code ec) { result = ec; });
        run();
        return result;
    }
    // GET / inside the TLS session: the status and the body (empty on a failure).
    std::pair<unsigned, std::string> get(const std::string& host) {
        http::request<http::empty_body> req{http::verb::get, "/", 11};
        req.set(http::field::host, host);
        req.keep_alive(false);
        http::response<http::string_body> res;
        beast::flat_buffer buffer;
        error_code result = asio::error::timed_out;
        http::async_write(*stream_, req, [&](error_code ec, std::size_t) {
            if (ec) {
                result = ec;
                return;
            }
            http::async_read(*stream_, buffer, res,
                             [&](error_code read_ec, std::size_t) { result = read_ec; });
        });
        run();
        if (result) return {0, result.message()};
        return {res.result_int(), res.body()};
    }

  private:
    void run() {
        context_.restart();
        context_.run_for(20s);
        if (!context_.stopped()) {
            // Past the deadline: cancel what is pending, let its handler see the error.
            error_code ignored;
            socket_.cancel(ignored);
            context_.restart();
            context_.run_for(1s);
        }
    }

    asio::io_context context_;
    asio::ssl::context tls_{asio::ssl::context::tls_client};
    tcp::socket socket_;
    asio::streambuf head_buffer_;
    std::unique_ptr<asio::ssl::stream<tcp::socket&>> stream_;
};

std::string weblog_config(const TempDir& logs, const std::string& preset = "splunk") {
    return "weblog:\n  feeds:\n    - preset: " + preset +
           "\n      destination: " + logs.file("web.log") + "\n";
}

// openssl s_client through the proxy; stdin is empty, so it ends after the handshake.
CommandResult s_client(const MinewallProcess& proxy, const TempDir& dir,
                       const std::string& authority, const std::string& servername,
                       std::vector<std::string> extra) {
    std::vector<std::string> argv{
        "openssl",  "s_client", "-proxy",      "127.0.0.1:" + std::to_string(proxy.port()),
        "-connect", authority,  "-servername", servername};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return run_command(argv, 20s, dir.write("empty", ""));
}

std::string status_of(const CommandResult& r) {
    return r.out.size() >= 3 ? r.out.substr(r.out.size() - 3) : r.out;
}

}  // namespace

TEST_CASE("a tunnel whose ClientHello names a pool is cut before the origin sees a byte") {
    // Interception off: the CONNECT host is an IP address the policy knows nothing about, so
    // only the SNI in the ClientHello can tell that the tunnel leads to a pool.
    CountingOrigin pool;
    TlsOrigin benign;
    TempDir logs;
    MinewallProcess proxy("connect_ports: [" + std::to_string(pool.port()) + ", " +
                              std::to_string(benign.port()) + "]\n" + weblog_config(logs),
                          {"--no-intercept"});

    auto cut = s_client(proxy, logs, pool.authority(), "xmr-eu1.pool.minexmr.com", {"-brief"});
    CHECK(cut.exit_code != 0);
    // An ordinary SNI on the same kind of tunnel passes, to the origin's own certificate.
    auto passed = s_client(proxy, logs, "127.0.0.1:" + std::to_string(benign.port()), "localhost",
                           {"-CAfile", benign.ca_file(), "-verify_return_error", "-brief"});
    CHECK(passed.exit_code == 0);
    CHECK((passed.err + passed.out).find("Verification: OK") != std::string::npos);

    REQUIRE(proxy.stop() == 0);
    // The proxy dialled the origin before its 200 (interception off), but relayed nothing.
    REQUIRE(pool.wait_all_closed());
    CHECK(pool.bytes_received() == 0);
    auto lines = nss_log_lines(logs.file("web.log"));
    REQUIRE(lines.size() == 2);
    INFO(lines[0]);
    CHECK(has_pair(lines[0], "requestmethod=CONNECT"));
    CHECK(has_pair(lines[0], "url=" + pool.authority()));
    CHECK(has_pair(lines[0], "protocol=SSL"));
    CHECK(has_pair(lines[0], "action=Blocked"));
    CHECK(has_pair(lines[0], "reason=IPS block: Cryptomining traffic"));
    CHECK(has_pair(lines[0], "threatname=CoinMiner.Pool"));
    INFO(lines[1]);
    CHECK(has_pair(lines[1], "protocol=SSL"));
    CHECK(has_pair(lines[1], "action=Allowed"));
    CHECK(has_pair(lines[1], "threatname=None"));
}

TEST_CASE("a bumped connection to an origin that speaks only TLS 1.1 gets a 502, TLS 1.2 works") {
    TlsOrigin pki;
    // OpenSSL 3 refuses TLS 1.1 at its default security level, hence SECLEVEL=0 on the origin.
    OpensslOrigin legacy(pki, {"-www", "-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0"});
    OpensslOrigin modern(pki, {"-www", "-tls1_2"});
    TempDir logs;
    MinewallProcess proxy("connect_ports: [" + std::to_string(legacy.port()) + ", " +
                              std::to_string(modern.port()) + "]\n" + weblog_config(logs, "json"),
                          {"--upstream-ca", pki.ca_file()});

    auto refused = curl({"--cacert", proxy.ca_file(), "-x", proxy.proxy_url(), "-w",
                         "\n%{http_code}", legacy.url()});
    CHECK(refused.exit_code == 0);  // the client's TLS session with minewall is fine
    CHECK(status_of(refused) == "502");
    INFO(refused.out);
    CHECK(refused.out.find("502 Bad Gateway") == 0);
    CHECK(refused.out.find("TLS handshake with the origin failed") != std::string::npos);
    CHECK(refused.out.find("protocol version") != std::string::npos);

    auto served = curl({"--cacert", proxy.ca_file(), "-x", proxy.proxy_url(), "-o", "/dev/null",
                        "-w", "%{http_code}", modern.url()});
    CHECK(served.out == "200");

    REQUIRE(proxy.stop() == 0);
    auto lines = nss_log_lines(logs.file("web.log"));
    REQUIRE(lines.size() == 4);  // each: the HTTPS request, then its CONNECT
    INFO(lines[0]);
    CHECK(has_json_pair(lines[0], "proto", "HTTPS"));
    CHECK(has_json_pair(lines[0], "respcode", "502"));
    CHECK(has_json_pair(lines[0], "srvtlsversion", "None"));  // no origin session at all
    INFO(lines[2]);
    CHECK(has_json_pair(lines[2], "respcode", "200"));
    CHECK(has_json_pair(lines[2], "srvtlsversion", "TLS1_2"));
}

TEST_CASE("monitor mode lets a pool domain, a miner URL and a miner script through, logged") {
    OriginServer origin;
    origin.add_route("/js/coinhive.min.js", "application/javascript",
                     "// a URL the policy lists\n");
    origin.add_route("/widget.js", "application/javascript",
                     "var miner = new CoinHive.Anonymous('aBcDeFgHiJkLmNoPqRsTuVwXyZ012345');\n"
                     "miner.start();\n");
    TempDir logs;
    // "localhost" stands in for a pool domain: it resolves without leaving the machine.
    auto policy = logs.write("policy.yaml",
                             "version: 1\nmode: monitor\nrules:\n"
                             "  - id: test-pools\n    action: block\n    threat_name: "
                             "CoinMiner.Pool\n    domains: [localhost]\n"
                             "  - id: test-miner-urls\n    action: block\n    urls: "
                             "['/coinhive(?:[-_.]min)?\\.js(?:[?#]|$)']\n");
    MinewallProcess proxy("connect_ports: [" + std::to_string(origin.port()) + "]\n" +
                              "policy:\n  file: " + policy + "\n" + weblog_config(logs),
                          {"--no-intercept"});
    const std::string port = std::to_string(origin.port());

    auto pool = curl({"-p", "-x", proxy.proxy_url(), "http://localhost:" + port + "/hello"});
    CHECK(pool.out == "hello from origin\n");
    auto url = curl({"-x", proxy.proxy_url(), origin.url("/js/coinhive.min.js")});
    CHECK(url.out == "// a URL the policy lists\n");
    auto script = curl({"-x", proxy.proxy_url(), origin.url("/widget.js")});
    CHECK(script.out.find("new CoinHive.Anonymous") != std::string::npos);
    CHECK(origin.requests_served() == 3);

    REQUIRE(proxy.stop() == 0);
    auto lines = nss_log_lines(logs.file("web.log"));
    REQUIRE(lines.size() == 3);
    // The tunnel's record is written when the tunnel ends, which may be after the others.
    auto record = [&](const std::string& pair) {
        for (const auto& line : lines)
            if (has_pair(line, pair)) return line;
        FAIL_CHECK("no record with " << pair << " in:\n" << read_file(logs.file("web.log")));
        return std::string();
    };
    for (const auto& line : lines) {
        INFO(line);
        // What happened (allowed, 200) and what enforce mode would have done (the threat).
        CHECK(has_pair(line, "action=Allowed"));
        CHECK(has_pair(line, "reason=Allowed"));
        CHECK(has_pair(line, "status=200"));
        CHECK(has_pair(line, "urlcategory=Cryptomining & Blockchain"));
        CHECK(has_pair(line, "threatcategory=Cryptomining"));
    }
    auto tunnel = record("requestmethod=CONNECT");
    CHECK(has_pair(tunnel, "threatname=CoinMiner.Pool"));
    CHECK(has_pair(record("url=127.0.0.1:" + port + "/js/coinhive.min.js"),
                   "threatname=CoinMiner.URL"));
    CHECK(record("url=127.0.0.1:" + port + "/widget.js").find("\tthreatname=CoinMiner.JS.") !=
          std::string::npos);
}

TEST_CASE("blocks pool IP addresses and miner URLs from the policy, other traffic passes") {
    CountingOrigin pool("127.0.0.2");  // loopback: every 127/8 address is local on Linux
    OriginServer origin;
    TempDir logs;
    auto policy =
        logs.write("policy.yaml",
                   "version: 1\nrules:\n"
                   "  - id: test-pool-ips\n    action: block\n    ips: [127.0.0.2/32]\n"
                   "  - id: test-miner-urls\n    action: block\n    urls: "
                   "['/cryptonight(?:[-_.](?:asmjs|worker|wasm|min))*\\.js(?:[?#]|$)']\n");
    MinewallProcess proxy("connect_ports: [" + std::to_string(pool.port()) + "]\n" +
                              "policy:\n  file: " + policy + "\n" + weblog_config(logs, "json"),
                          {"--no-intercept"});
    auto code = [&](std::vector<std::string> args) {
        args.insert(args.begin(), {"-x", proxy.proxy_url(), "-o", "/dev/null", "-w",
                                   "%{http_code}%{http_connect}"});
        return curl(args).out;
    };

    CHECK(code({"http://" + pool.authority() + "/"}) == "403000");
    CHECK(code({"-p", "http://" + pool.authority() + "/"}) == "000403");  // CONNECT refused
    CHECK(code({origin.url("/lib/cryptonight.worker.js?v=2")}) == "403000");
    CHECK(code({origin.url("/hello")}) == "200000");
    CHECK(pool.connections() == 0);
    CHECK(origin.requests_served() == 1);

    REQUIRE(proxy.stop() == 0);
    auto lines = nss_log_lines(logs.file("web.log"));
    REQUIRE(lines.size() == 4);
    for (std::size_t i = 0; i < 3; ++i) {
        INFO(lines[i]);
        CHECK(has_json_pair(lines[i], "action", "Blocked"));
        CHECK(has_json_pair(lines[i], "respcode", "403"));
        CHECK(has_json_pair(lines[i], "reason", "IPS block: Cryptomining traffic"));
    }
    CHECK(has_json_pair(lines[0], "threatname", "CoinMiner.Pool"));
    CHECK(has_json_pair(lines[0], "rulelabel", "test-pool-ips"));
    CHECK(has_json_pair(lines[1], "reqmethod", "CONNECT"));
    CHECK(has_json_pair(lines[1], "threatname", "CoinMiner.Pool"));
    CHECK(has_json_pair(lines[2], "threatname", "CoinMiner.URL"));
    CHECK(has_json_pair(lines[2], "rulelabel", "test-miner-urls"));
    CHECK(has_json_pair(lines[3], "action", "Allowed"));
}

TEST_CASE("feeds from https and from files, in every list format, block what they list") {
    // The https feed's server presents a certificate from a test CA that minewall trusts
    // through --upstream-ca (tls.upstream_ca_file).
    TlsOrigin pki;
    TempDir feeds;
    feeds.write("nocoin-extra.txt",
                "[Adblock Plus 2.0]\n! test list\n||adblock-feed.invalid^\n"
                "/adblock-listed-miner.js\n");
    OpensslOrigin feed_server(pki, {"-WWW"}, feeds.path());
    TempDir dir;
    // Domain lists refuse single-label names such as localhost: the listed pool is named by
    // the SNI of a tunnel to a loopback address, so no name is ever resolved.
    dir.write("domains.txt", "# pools\npool.domains-feed.test\n");
    dir.write("agents.csv",
              "UserAgent,UserAgentCategory\nFeedListedMiner,Cryptominer\nCurlish,Unusual\n");
    dir.write("ips.txt", "# pool addresses\n127.0.0.2/32\n");
    auto policy =
        dir.write("policy.yaml",
                  "version: 1\nfeeds:\n"
                  "  - name: https-adblock\n    source: " +
                      feed_server.url("/nocoin-extra.txt") +
                      "\n    format: adblock\n"
                      "  - name: file-domains\n    source: domains.txt\n    format: domains\n"
                      "  - name: file-agents\n    source: agents.csv\n    format: useragent_csv\n"
                      "    category: Cryptominer\n"
                      "  - name: file-ips\n    source: ips.txt\n    format: ips\n");
    CountingOrigin pool("127.0.0.2");
    CountingOrigin tunnel_target;
    OriginServer origin;
    TempDir logs;
    MinewallProcess proxy("connect_ports: [" + std::to_string(tunnel_target.port()) + "]\n" +
                              "policy:\n  file: " + policy + "\n" + weblog_config(logs, "json"),
                          {"--no-intercept", "--upstream-ca", pki.ca_file()});
    auto code = [&](std::vector<std::string> args) {
        args.insert(args.begin(),
                    {"-x", proxy.proxy_url(), "-o", "/dev/null", "-w", "%{http_code}"});
        return curl(args).out;
    };

    CHECK(code({origin.url("/assets/adblock-listed-miner.js")}) == "403");
    auto sni = s_client(proxy, logs, tunnel_target.authority(), "eu.pool.domains-feed.test", {});
    CHECK(sni.exit_code != 0);
    CHECK(code({"-A", "FeedListedMiner/2.1", origin.url("/hello")}) == "403");
    CHECK(code({"http://" + pool.authority() + "/"}) == "403");
    // Neither the feed's other category nor an unlisted URL blocks.
    CHECK(code({"-A", "Curlish/1.0", origin.url("/hello")}) == "200");
    CHECK(origin.requests_served() == 1);
    CHECK(pool.connections() == 0);

    REQUIRE(proxy.stop() == 0);
    REQUIRE(tunnel_target.wait_all_closed());
    CHECK(tunnel_target.bytes_received() == 0);
    auto lines = nss_log_lines(logs.file("web.log"));
    REQUIRE(lines.size() == 5);
    const char* feed_of[] = {"https-adblock", "file-domains", "file-agents", "file-ips"};
    for (std::size_t i = 0; i < 4; ++i) {
        INFO(lines[i]);
        CHECK(has_json_pair(lines[i], "action", "Blocked"));
        CHECK(has_json_pair(lines[i], "rulelabel", feed_of[i]));
    }
    CHECK(has_json_pair(lines[0], "threatname", "CoinMiner.URL"));
    CHECK(has_json_pair(lines[1], "threatname", "CoinMiner.Pool"));
    CHECK(has_json_pair(lines[1], "df_hostname", "eu.pool.domains-feed.test"));  // the SNI
    CHECK(has_json_pair(lines[2], "threatname", "CoinMiner.UA.FeedListedMiner"));
    CHECK(has_json_pair(lines[3], "threatname", "CoinMiner.Pool"));
    CHECK(has_json_pair(lines[4], "action", "Allowed"));
}

namespace {

// An origin behind one worker (one upstream pool) with one idle, verified TLS connection from
// minewall to it in that pool, and then the origin's listener closed: from now on a CONNECT
// to it is answered 200 at once (the pool vouches for the origin), but a new connection to it
// is refused.
struct PooledUnreachableOrigin {
    TlsOrigin pki;
    ClosableTlsOrigin origin{pki};
    TempDir logs;
    MinewallProcess proxy;

    PooledUnreachableOrigin()
        : proxy("connect_ports: [" + std::to_string(origin.port()) + "]\n" +
                    "tls:\n  splice_domains: [bypass.test]\n" + weblog_config(logs, "json"),
                {"--upstream-ca", pki.ca_file(), "--workers", "1"}) {
        auto warm = curl({"--cacert", proxy.ca_file(), "-x", proxy.proxy_url(), origin.url()});
        REQUIRE(warm.out == "hello over tls\n");
        origin.stop_listening();
    }
    std::string authority() const { return "localhost:" + std::to_string(origin.port()); }
};

}  // namespace

TEST_CASE("after an early CONNECT 200 an unreachable origin closes a spliced tunnel") {
    PooledUnreachableOrigin t;
    // Same CONNECT host as the pooled connection, but an SNI on the splice list: the tunnel
    // needs its own TCP connection, opened only after the 200.
    auto spliced = s_client(t.proxy, t.logs, t.authority(), "bypass.test",
                            {"-CAfile", t.pki.ca_file(), "-brief"});
    CHECK(spliced.exit_code != 0);
    CHECK((spliced.err + spliced.out).find("Verification: OK") == std::string::npos);
    CHECK(t.origin.tcp_connections() == 1);
    REQUIRE(t.proxy.stop() == 0);
    auto lines = nss_log_lines(t.logs.file("web.log"));
    REQUIRE(lines.size() == 3);
    INFO(lines[2]);
    CHECK(has_json_pair(lines[2], "reqmethod", "CONNECT"));
    CHECK(has_json_pair(lines[2], "proto", "SSL"));
    CHECK(has_json_pair(lines[2], "respcode", "200"));    // what the client was told
    CHECK(has_json_pair(lines[2], "respdatasize", "0"));  // and then nothing came back
}

TEST_CASE(
    "after an early CONNECT 200 a bumped tunnel whose pooled connection was taken gets "
    "a 502 page inside TLS") {
    PooledUnreachableOrigin t;
    // Both CONNECTs see the idle connection and are answered 200 without dialling; the first
    // TLS handshake takes it, so the second needs a new connection, which is refused.
    SteppedTunnelClient first(t.proxy.port(), t.proxy.ca_file());
    SteppedTunnelClient second(t.proxy.port(), t.proxy.ca_file());
    CHECK(first.connect(t.authority()).find("HTTP/1.1 200 ") == 0);
    CHECK(second.connect(t.authority()).find("HTTP/1.1 200 ") == 0);
    REQUIRE_FALSE(first.handshake("localhost"));
    REQUIRE_FALSE(second.handshake("localhost"));
    auto [status, body] = second.get("localhost");
    CHECK(status == 502);
    INFO(body);
    CHECK(body.find("502 Bad Gateway") != std::string::npos);
    CHECK(body.find("refused") != std::string::npos);
    // The first tunnel is served by the connection it took.
    CHECK(first.get("localhost") == std::pair<unsigned, std::string>{200, "hello over tls\n"});
    CHECK(t.origin.tcp_connections() == 1);
}

TEST_CASE("the web-log record of a tunnel that failed after an early 200 names the reason" *
          doctest::skip() *
          doctest::description("not yet: WebRecord::error is in no NSS field (README says so)")) {
    // The README used to claim "...and the web-log record carries the reason". minewall keeps the
    // reason in WebRecord::error, which no NSS token renders (not even the json preset, which
    // has every field); only the debug-level operational log line shows it.
    PooledUnreachableOrigin t;
    auto spliced = s_client(t.proxy, t.logs, t.authority(), "bypass.test",
                            {"-CAfile", t.pki.ca_file(), "-brief"});
    CHECK(spliced.exit_code != 0);
    REQUIRE(t.proxy.stop() == 0);
    auto lines = nss_log_lines(t.logs.file("web.log"));
    REQUIRE(lines.size() == 3);
    INFO(lines[2]);
    CHECK(lines[2].find("refused") != std::string::npos);
}
