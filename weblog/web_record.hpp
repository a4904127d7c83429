#pragma once
// One web transaction as the NSS web log sees it. The session fills it while the transaction
// runs; weblog/ formats it. Plain data only (no Beast/Asio here) so every stage can build one
// in a unit test. Empty strings / zero values mean "unknown": the formatter renders them the
// way NSS does (None, NA, 0, 0.0.0.0 per field), never as empty text.
#include <chrono>
#include <cstdint>
#include <string>

namespace minewall::weblog {

struct WebRecord {
    using Clock = std::chrono::system_clock;

    // --- identity of the record and timing ---
    std::uint64_t record_id = 0;     // monotonic per process; unique with instance_id
    std::string instance_id;         // random per process start
    Clock::time_point start_time{};  // when the request head was complete (or the connection)
    std::int64_t client_transaction_ms = 0;  // ctime: first byte in .. last byte out to client
    std::int64_t server_transaction_ms = 0;  // stime: request sent upstream .. response done

    // --- client side ---
    std::string client_ip;  // cintip: the socket peer
    std::uint16_t client_port = 0;
    std::string client_forwarded_ip;  // cip when a trusted X-Forwarded-For names the user
    std::string login;                // proxy-auth user or mapped user; empty = None
    std::string department;
    std::string location;
    std::string device_owner;
    std::string device_hostname;

    // --- request ---
    std::string protocol;  // HTTP, HTTPS, SSL, HTTP_PROXY, TUNNEL, WEBSOCKET, WEBSOCKET_SSL
    std::string method;    // GET, CONNECT, ...; empty when no request was parsed
    std::string url;       // without scheme: host[:port]/path?query, or host:port for CONNECT
    std::string host;
    std::uint16_t port = 0;
    std::string referer;
    std::string user_agent;
    std::uint64_t request_header_bytes = 0;
    std::uint64_t request_body_bytes = 0;
    std::string request_version;  // reqversion: "1.1"; empty = None

    // --- response ---
    int status = 0;         // status sent to the client (403 for blocks, 0 if none was sent)
    std::string server_ip;  // sip; empty = 0.0.0.0 (e.g. blocked before connecting)
    std::string content_type;
    std::uint64_t response_header_bytes = 0;
    std::uint64_t response_body_bytes = 0;
    std::string response_version;  // respversion: "1.1"; empty = None

    // --- verdict ---
    bool blocked = false;  // action: Blocked / Allowed
    std::string reason;    // e.g. "Allowed", "IPS block: Cryptomining traffic"
    std::string url_category = "Miscellaneous or Unknown";
    std::string url_super_category = "Miscellaneous";
    std::string url_class = "Miscellaneous";
    std::string threat_name;      // contains "Miner" for miner threats; empty = None
    std::string threat_category;  // malwarecat
    std::string threat_class;     // malwareclass
    int risk_score = 0;           // 0..100; threatseverity is derived from it
    std::string rule_label;
    std::string rule_type;
    std::string feed;  // which policy feed supplied the matching rule

    // --- TLS ---
    bool ssl_decrypted = false;
    std::string sni;
    std::string alpn;
    std::string client_tls_version;
    std::string server_tls_version;

    // --- outcome for operators (not an NSS field, goes to the operational log) ---
    std::string error;  // e.g. "upstream connect refused"
};

}  // namespace minewall::weblog
