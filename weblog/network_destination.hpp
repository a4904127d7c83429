#pragma once
// Plain settings of the network sinks (syslog/TCP stream and HTTP batch POST) and of their
// delivery queue. No socket or TLS types here.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace minewall::weblog {

struct TlsClientOptions {
    bool enabled = false;
    bool verify_peer = true;  // certificate chain and host name (or IP) are checked
    std::string ca_file;      // PEM bundle; empty = the system store
    std::string server_name;  // name checked and sent as SNI; empty = the host
};

enum class StreamFraming : std::uint8_t {
    Newline,        // one record per line (NSS VM)
    OctetCounting,  // RFC 6587: "<length> <record>" without the newline
};

struct StreamDestination {
    std::string host;
    std::uint16_t port = 0;
    StreamFraming framing = StreamFraming::Newline;
    TlsClientOptions tls;
};

struct HttpDestination {
    std::string url;    // http(s)://host[:port]/path
    std::string token;  // Splunk HEC token: "Authorization: Splunk <token>"; empty = none
    std::vector<std::pair<std::string, std::string>> headers;  // extra request headers
    TlsClientOptions tls;  // enabled by an https URL; ca_file / verify_peer apply
    std::size_t max_batch_bytes = 512 * 1024;
    std::chrono::milliseconds max_batch_delay{1000};
    bool json_array = false;  // body "[r1,r2]" instead of records separated by newlines
};

// Queueing and retry behaviour shared by the network sinks.
struct DeliveryOptions {
    std::size_t memory_records = 10000;  // in-memory queue; beyond it records spill to disk
    std::filesystem::path spill_dir;     // disk buffer directory; empty = no disk buffer
    std::uint64_t spill_max_bytes = 1ull << 30;
    std::chrono::milliseconds connect_timeout{5000};
    std::chrono::milliseconds io_timeout{10000};
    std::chrono::milliseconds backoff_initial{250};
    std::chrono::milliseconds backoff_max{30000};
    std::chrono::milliseconds shutdown_timeout{5000};  // time to deliver before persisting
    // Stream sinks resend what was written in this window after a reconnect, because TCP
    // cannot tell what the receiver's application read before it died (NSS "Duplicate Logs").
    std::chrono::milliseconds resend_window{30000};
    std::uint64_t resend_max_bytes = 4ull << 20;
};

}  // namespace minewall::weblog
