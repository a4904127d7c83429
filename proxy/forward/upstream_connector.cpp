#include "proxy/forward/upstream_connector.hpp"

#include <boost/asio/experimental/awaitable_operators.hpp>

#include "proxy/ops/proxy_state.hpp"

namespace minewall::proxy {

using namespace boost::asio::experimental::awaitable_operators;

int UpstreamConnectResult::status() const {
    switch (failure) {
        case UpstreamFailure::Timeout:
            return 504;
        case UpstreamFailure::Loop:
            return 508;
        default:
            return 502;
    }
}

awaitable<UpstreamConnectResult> connect_upstream(const Authority& target,
                                                  std::chrono::milliseconds timeout,
                                                  ProxyState& state) {
    UpstreamConnectResult result;
    auto executor = co_await asio::this_coro::executor;
    auto deadline = std::chrono::steady_clock::now() + timeout;
    auto& counters = state.counters();

    if (is_reserved_invalid_name(target.host)) {
        result.failure = UpstreamFailure::DnsFailure;
        result.detail = "DNS lookup failed for " + target.host + ": reserved .invalid name";
        ++counters.upstream_dns_failures;
        co_return result;
    }

    // IP literals need no lookup; names are looked up once per dns_cache_ttl.
    std::vector<tcp::endpoint> endpoints;
    error_code literal_ec;
    auto literal = asio::ip::make_address(target.host, literal_ec);
    if (!literal_ec) {
        endpoints.emplace_back(literal, target.port);
    } else if (auto cached = state.dns_cache().find(target.host)) {
        for (const auto& text : *cached) {
            error_code ec;
            auto address = asio::ip::make_address(text, ec);
            if (!ec) endpoints.emplace_back(address, target.port);
        }
    }
    if (endpoints.empty()) {
        tcp::resolver resolver(executor);
        asio::steady_timer timer(executor, deadline);
        const std::string service = std::to_string(target.port);  // named: see prepare_error()
        auto resolved = co_await (resolver.async_resolve(target.host, service, use_tuple) ||
                                  timer.async_wait(use_tuple));
        if (resolved.index() == 1) {
            result.failure = UpstreamFailure::Timeout;
            result.detail = "DNS lookup for " + target.host + " timed out";
            ++counters.upstream_timeouts;
            co_return result;
        }
        auto [resolve_ec, answers] = std::get<0>(std::move(resolved));
        if (resolve_ec || answers.empty()) {
            result.failure = UpstreamFailure::DnsFailure;
            result.detail = "DNS lookup failed for " + target.host + ": " +
                            (resolve_ec ? resolve_ec.message() : "no addresses");
            ++counters.upstream_dns_failures;
            co_return result;
        }
        std::vector<std::string> addresses;
        for (const auto& entry : answers) {
            endpoints.push_back(entry.endpoint());
            addresses.push_back(entry.endpoint().address().to_string());
        }
        state.dns_cache().store(
            target.host, std::move(addresses),
            std::chrono::steady_clock::now() + state.config()->upstream.dns_cache_ttl);
    }
    for (const auto& ep : endpoints) {
        if (state.is_own_endpoint(ep.address().to_string(), ep.port())) {
            result.failure = UpstreamFailure::Loop;
            result.detail =
                "the request would loop back into minewall itself (" + target.to_string() + ")";
            ++counters.loops_refused;
            co_return result;
        }
    }

    beast::tcp_stream stream(executor);
    stream.expires_at(deadline);
    auto [connect_ec, endpoint] = co_await stream.async_connect(endpoints, use_tuple);
    if (connect_ec) {
        if (connect_ec == beast::error::timeout) {
            result.failure = UpstreamFailure::Timeout;
            result.detail = "connecting to " + target.to_string() + " timed out after " +
                            std::to_string(timeout.count()) + " ms";
            ++counters.upstream_timeouts;
        } else {
            result.failure = connect_ec == asio::error::connection_refused
                                 ? UpstreamFailure::Refused
                                 : UpstreamFailure::Unreachable;
            result.detail = "cannot connect to " + target.to_string() + ": " + connect_ec.message();
            ++counters.upstream_connect_failures;
        }
        co_return result;
    }
    stream.expires_never();
    error_code ignored;
    stream.socket().set_option(tcp::no_delay(true), ignored);
    ++counters.upstream_opened;
    result.connection.emplace(UpstreamConnection{std::make_unique<TcpByteStream>(std::move(stream)),
                                                 {},
                                                 endpoint.address().to_string(),
                                                 false});
    co_return result;
}

}  // namespace minewall::proxy
