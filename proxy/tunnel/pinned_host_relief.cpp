#include "proxy/tunnel/pinned_host_relief.hpp"

#include <openssl/ssl.h>

#include "text/ascii_text.hpp"

namespace minewall::proxy {

bool PinnedHostRelief::record_rejection(std::string_view host,
                                        const config::PinnedReliefConfig& config,
                                        Clock::time_point now) {
    ++rejections_;
    if (!config.enabled || host.empty()) return false;
    identity::StrikeCounter::Rule rule{config.failures, config.window, config.splice_ttl};
    if (!strikes_.strike(text::to_lower(host), rule, now)) return false;
    ++relieved_;
    return true;
}

bool PinnedHostRelief::should_splice(std::string_view host, Clock::time_point now) {
    if (strikes_.penalty_left(text::to_lower(host), now).count() == 0) return false;
    ++spliced_;
    return true;
}

PinnedHostRelief::Counters PinnedHostRelief::counters() const {
    return {rejections_.load(), relieved_.load(), spliced_.load()};
}

bool is_certificate_rejection(int openssl_reason) {
    switch (openssl_reason) {
        case SSL_R_TLSV1_ALERT_UNKNOWN_CA:
        case SSL_R_SSLV3_ALERT_BAD_CERTIFICATE:
        case SSL_R_SSLV3_ALERT_CERTIFICATE_UNKNOWN:
        case SSL_R_SSLV3_ALERT_UNSUPPORTED_CERTIFICATE:
            return true;
        default:
            return false;
    }
}

}  // namespace minewall::proxy
