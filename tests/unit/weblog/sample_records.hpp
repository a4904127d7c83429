#pragma once
// WebRecords shared by the weblog tests.
#include <chrono>

#include "weblog/web_record.hpp"

namespace minewall::weblog::test {

inline WebRecord::Clock::time_point at_epoch(std::int64_t seconds) {
    return WebRecord::Clock::time_point(std::chrono::seconds(seconds));
}

// A blocked XMRig connection to a mining pool over a CONNECT tunnel.
inline WebRecord blocked_miner_record(std::uint64_t id = 42) {
    WebRecord r;
    r.record_id = id;
    r.start_time = at_epoch(1697496948);  // Mon Oct 16 22:55:48 2023 UTC
    r.client_ip = "10.0.0.5";
    r.client_port = 51000;
    r.login = "jdoe@example.com";
    r.department = "Research";
    r.location = "HQ";
    r.device_owner = "jdoe";
    r.device_hostname = "LAB-PC-7";
    r.protocol = "HTTP_PROXY";
    r.method = "CONNECT";
    r.url = "pool.supportxmr.com:443";
    r.host = "pool.supportxmr.com";
    r.port = 443;
    r.user_agent = "XMRig/6.20.0 (Linux x86_64) libuv/1.44.2 gcc/12.2.0";
    r.request_header_bytes = 120;
    r.status = 403;
    r.response_header_bytes = 80;
    r.blocked = true;
    r.reason = "IPS block: Cryptomining traffic";
    r.url_category = "Cryptomining & Blockchain";
    r.url_super_category = "Security";
    r.url_class = "Advanced Security Risk";
    r.threat_name = "XMRig CoinMiner";
    r.threat_category = "MalwareTool";
    r.threat_class = "Advanced Threats";
    r.risk_score = 95;
    r.rule_label = "Block cryptomining";
    r.rule_type = "FwFilter";
    return r;
}

// An allowed, inspected HTTPS GET.
inline WebRecord allowed_https_record(std::uint64_t id = 7) {
    WebRecord r;
    r.record_id = id;
    r.start_time = at_epoch(1578128400);  // Sat Jan  4 09:00:00 2020 UTC
    r.client_ip = "192.168.2.200";
    r.client_port = 40000;
    r.protocol = "HTTPS";
    r.method = "GET";
    r.url = "www.example.com/index.html?q=1";
    r.host = "www.example.com";
    r.port = 443;
    r.referer = "https://www.example.org/start";
    r.user_agent = "Mozilla/5.0";
    r.request_header_bytes = 300;
    r.request_body_bytes = 1000;
    r.status = 200;
    r.server_ip = "93.184.216.34";
    r.content_type = "text/html";
    r.response_header_bytes = 500;
    r.response_body_bytes = 10000;
    r.reason = "Allowed";
    r.url_category = "Web Search";
    r.url_super_category = "Information Technology";
    r.url_class = "Business Use";
    r.ssl_decrypted = true;
    r.sni = "www.example.com";
    r.request_version = "1.1";
    r.response_version = "1.1";
    return r;
}

}  // namespace minewall::weblog::test
