#include "proxy/pinned_host_relief.hpp"

#include <openssl/ssl.h>

#include <algorithm>

#include "text/ascii_text.hpp"

namespace minewall::proxy {

bool PinnedHostRelief::record_rejection(std::string_view host,
                                        const config::PinnedReliefConfig& config,
                                        Clock::time_point now) {
    std::lock_guard lock(mutex_);
    ++counters_.rejections;
    if (!config.enabled || host.empty()) return false;
    prune(now, config.window);
    auto& state = hosts_[text::to_lower(host)];
    if (state.spliced_until > now) return false;  // already relieved
    auto& times = state.rejections;
    times.erase(times.begin(), std::find_if(times.begin(), times.end(),
                                            [&](auto t) { return now - t < config.window; }));
    times.push_back(now);
    if (times.size() < config.failures) return false;
    times.clear();
    state.spliced_until = now + config.splice_ttl;
    ++counters_.relieved;
    return true;
}

bool PinnedHostRelief::should_splice(std::string_view host, Clock::time_point now) {
    std::lock_guard lock(mutex_);
    if (hosts_.empty()) return false;
    auto it = hosts_.find(text::to_lower(host));
    if (it == hosts_.end() || it->second.spliced_until <= now) return false;
    ++counters_.spliced;
    return true;
}

PinnedHostRelief::Counters PinnedHostRelief::counters() const {
    std::lock_guard lock(mutex_);
    return counters_;
}

void PinnedHostRelief::prune(Clock::time_point now, std::chrono::milliseconds window) {
    if (now < next_prune_) return;
    next_prune_ = now + window;
    std::erase_if(hosts_, [&](const auto& item) {
        const auto& state = item.second;
        return state.spliced_until <= now &&
               (state.rejections.empty() || now - state.rejections.back() >= window);
    });
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
