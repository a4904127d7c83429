#pragma once
// HTTP(S) batch POST sink, the Cloud NSS way (Splunk HEC: "Authorization: Splunk <token>").
// Records are batched by size and time and POSTed one batch at a time on the sink's
// DeliveryLoop thread over a kept-alive connection. 2xx = delivered; 400 = the receiver
// rejected the batch: dropped and counted; anything else (5xx, other codes, timeouts,
// connection errors) = retried with exponential back-off, records waiting in memory then in
// the disk buffer.
//
// Delivery is AT-LEAST-ONCE, IN ORDER: a batch is retried until a 2xx/400 answer, so a batch
// whose answer was lost (timeout after the receiver stored it) arrives twice.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "weblog/network_destination.hpp"
#include "weblog/network_sink.hpp"

namespace minewall::weblog {

struct HttpUrl {
    bool tls = false;
    std::string host;
    std::uint16_t port = 0;
    std::string target;       // path and query, "/" at least
    std::string host_header;  // host[:port] as sent in Host
};

// http(s)://host[:port][/path]; nullopt with `error` set when malformed.
std::optional<HttpUrl> parse_http_url(std::string_view url, std::string& error);

class HttpBatchSink final : public NetworkSink {
  public:
    // `feed_name` names the disk buffer file under delivery.spill_dir.
    static std::unique_ptr<HttpBatchSink> open(const std::string& feed_name,
                                               const HttpDestination& destination,
                                               const DeliveryOptions& delivery, std::string& error);

  private:
    using NetworkSink::NetworkSink;
};

}  // namespace minewall::weblog
