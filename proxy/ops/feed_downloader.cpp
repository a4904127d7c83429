#include "proxy/ops/feed_downloader.hpp"

#include <openssl/ssl.h>

#include <boost/asio/ssl.hpp>
#include <future>

#include "certs/upstream_tls.hpp"
#include "proxy/http/request_target.hpp"
#include "proxy/net/net.hpp"

namespace minewall::proxy {

namespace {

// One GET over a stream already connected (TCP or TLS).
template <class Stream>
awaitable<policy::FeedFetchResult> get(Stream& stream, beast::tcp_stream& tcp,
                                       const AbsoluteTarget& target,
                                       const FeedDownloadOptions& options, std::string& location) {
    policy::FeedFetchResult result;
    http::request<http::empty_body> req{http::verb::get, target.path, 11};
    req.set(http::field::host, target.authority.host_header(target.scheme == "https" ? 443 : 80));
    req.set(http::field::user_agent, std::string("minewall/") + MINEWALL_VERSION + " feed-updater");
    req.set(http::field::accept, "text/plain, */*");
    req.keep_alive(false);
    tcp.expires_after(options.timeout);
    auto [wec, wn] = co_await http::async_write(stream, req, use_tuple);
    if (wec) {
        result.error = "sending the request failed: " + wec.message();
        co_return result;
    }
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(options.max_bytes);
    auto [rec, rn] = co_await http::async_read(stream, buffer, parser, use_tuple);
    if (rec) {
        result.error = "reading the response failed: " + rec.message();
        co_return result;
    }
    auto& res = parser.get();
    result.http_status = res.result_int();
    if (res.result_int() >= 300 && res.result_int() < 400)
        location = std::string(res[http::field::location]);
    result.ok = res.result_int() == 200;
    if (!result.ok && location.empty())
        result.error = "the server answered " + std::to_string(res.result_int());
    result.body = std::move(res.body());
    co_return result;
}

awaitable<policy::FeedFetchResult> download(std::string url, FeedDownloadOptions options,
                                            std::shared_ptr<ssl_ctx_st> tls_ctx) {
    policy::FeedFetchResult result;
    auto executor = co_await asio::this_coro::executor;
    for (int hop = 0; hop <= options.max_redirects; ++hop) {
        auto target = parse_absolute_target(url);
        if (!target) {
            result.error = "not an http(s) URL: " + url;
            co_return result;
        }
        tcp::resolver resolver(executor);
        beast::tcp_stream tcp(executor);
        tcp.expires_after(options.timeout);
        auto [dec, endpoints] = co_await resolver.async_resolve(
            target->authority.host, std::to_string(target->authority.port), use_tuple);
        if (dec) {
            result.error = "cannot resolve " + target->authority.host + ": " + dec.message();
            co_return result;
        }
        auto [cec, ep] = co_await tcp.async_connect(endpoints, use_tuple);
        if (cec) {
            result.error =
                "cannot connect to " + target->authority.to_string() + ": " + cec.message();
            co_return result;
        }
        std::string location;
        if (target->scheme == "https") {
            SSL* ssl = SSL_new(tls_ctx.get());
            auto err = certs::configure_upstream_ssl(ssl, target->authority.host, true);
            if (!err.empty()) {
                SSL_free(ssl);
                result.error = err;
                co_return result;
            }
            asio::ssl::stream<beast::tcp_stream> stream(std::move(tcp), ssl);
            auto [hec] = co_await stream.async_handshake(asio::ssl::stream_base::client, use_tuple);
            if (hec) {
                auto failure = certs::upstream_verify_failure(stream.native_handle());
                result.error = failure.problem != certs::VerifyProblem::none
                                   ? "certificate not accepted: " + failure.reason
                                   : "TLS handshake failed: " + hec.message();
                co_return result;
            }
            result = co_await get(stream, stream.next_layer(), *target, options, location);
        } else {
            result = co_await get(tcp, tcp, *target, options, location);
        }
        if (location.empty()) co_return result;
        // A relative redirect keeps scheme and authority.
        url = location.front() == '/'
                  ? target->scheme + "://" +
                        target->authority.host_header(target->scheme == "https" ? 443 : 80) +
                        location
                  : location;
    }
    result.ok = false;
    result.error = "too many redirects";
    co_return result;
}

}  // namespace

policy::FeedFetchResult FeedDownloader::fetch(const std::string& url) {
    certs::UpstreamTlsOptions tls;
    tls.extra_ca_file = options_.extra_ca_file;
    auto ctx = certs::make_upstream_client_ctx(tls);
    if (!ctx.ctx) return {false, 0, {}, ctx.error};
    asio::io_context context;
    auto future = asio::co_spawn(context, download(url, options_, ctx.ctx), asio::use_future);
    context.run();
    try {
        return future.get();
    } catch (const std::exception& e) {
        return {false, 0, {}, e.what()};
    }
}

}  // namespace minewall::proxy
