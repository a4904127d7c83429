#include "proxy/forward/dns_cache.hpp"

#include "text/ascii_text.hpp"

namespace minewall::proxy {

std::optional<std::vector<std::string>> DnsCache::find(std::string_view host,
                                                       Clock::time_point now) const {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(text::to_lower(host));
    if (it == entries_.end() || it->second.expires <= now) return std::nullopt;
    return it->second.addresses;
}

void DnsCache::store(std::string_view host, std::vector<std::string> addresses,
                     Clock::time_point expires) {
    if (addresses.empty() || capacity_ == 0) return;
    std::lock_guard lock(mutex_);
    if (entries_.size() >= capacity_) {
        // Expired entries go first; if all are fresh, any one (it costs one lookup).
        const auto now = Clock::now();
        std::erase_if(entries_, [&](const auto& item) { return item.second.expires <= now; });
        if (entries_.size() >= capacity_) entries_.erase(entries_.begin());
    }
    entries_[text::to_lower(host)] = Entry{std::move(addresses), expires};
}

std::size_t DnsCache::size() const {
    std::lock_guard lock(mutex_);
    return entries_.size();
}

}  // namespace minewall::proxy
