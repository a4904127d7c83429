#include "certs/leaf_cert_cache.hpp"

#include <algorithm>
#include <exception>

#include "certs/host_name.hpp"

namespace minewall::certs {

LeafCertCache::LeafCertCache(MintFunction mint, LeafCacheOptions options)
    : mint_(std::move(mint)), options_(options) {
    options_.capacity = std::max<std::size_t>(options_.capacity, 1);
}

LeafCertCache::LeafCertCache(std::shared_ptr<const LeafIssuer> issuer, LeafCacheOptions options)
    : LeafCertCache(
          [issuer = std::move(issuer)](std::string_view host) { return issuer->mint(host); },
          options) {}

LeafResult LeafCertCache::get(std::string_view host_text) {
    CertHostResult parsed = normalize_cert_host(host_text);
    if (!parsed.host) {
        rejected_.fetch_add(1, std::memory_order_relaxed);
        return {nullptr,
                "cannot mint a certificate for '" + std::string(host_text) + "': " + parsed.error};
    }
    const std::string& key = parsed.host->name;

    std::promise<LeafResult> promise;
    std::uint64_t generation = 0;
    {
        std::unique_lock lock(mutex_);
        const auto now = std::chrono::steady_clock::now();
        if (auto it = entries_.find(key); it != entries_.end()) {
            Entry& entry = it->second;
            const bool ready =
                entry.result.wait_for(std::chrono::seconds(0)) == std::future_status::ready;
            if (ready && now - entry.created > options_.max_age) {
                lru_.erase(entry.lru);
                entries_.erase(it);
                expirations_.fetch_add(1, std::memory_order_relaxed);
            } else {
                lru_.splice(lru_.begin(), lru_, entry.lru);
                std::shared_future<LeafResult> result = entry.result;
                (ready ? hits_ : coalesced_).fetch_add(1, std::memory_order_relaxed);
                lock.unlock();
                return result.get();  // blocks only while the first caller mints
            }
        }
        misses_.fetch_add(1, std::memory_order_relaxed);
        generation = ++next_generation_;
        lru_.push_front(key);
        entries_.emplace(key, Entry{promise.get_future().share(), lru_.begin(), now, generation});
        evict_over_capacity();
    }

    const auto start = std::chrono::steady_clock::now();
    LeafResult result;
    try {
        result = mint_(key);
    } catch (const std::exception& e) {
        result = {nullptr, std::string("minting failed: ") + e.what()};
    }
    if (!result.leaf && result.error.empty()) result.error = "minting failed";
    const auto elapsed = std::chrono::steady_clock::now() - start;
    mint_ns_total_.fetch_add(
        static_cast<std::uint64_t>(
            std::chrono::duration_cast<std::chrono::nanoseconds>(elapsed).count()),
        std::memory_order_relaxed);
    mints_.fetch_add(1, std::memory_order_relaxed);

    if (!result.leaf) {
        // Forget the failure so the next request tries again; waiters still get this error.
        mint_failures_.fetch_add(1, std::memory_order_relaxed);
        std::lock_guard lock(mutex_);
        if (auto it = entries_.find(key);
            it != entries_.end() && it->second.generation == generation) {
            lru_.erase(it->second.lru);
            entries_.erase(it);
        }
    }
    promise.set_value(result);
    return result;
}

void LeafCertCache::evict_over_capacity() {
    while (entries_.size() > options_.capacity) {
        entries_.erase(lru_.back());
        lru_.pop_back();
        evictions_.fetch_add(1, std::memory_order_relaxed);
    }
}

void LeafCertCache::clear() {
    std::lock_guard lock(mutex_);
    entries_.clear();
    lru_.clear();
}

LeafCacheCounters LeafCertCache::counters() const {
    LeafCacheCounters c;
    c.hits = hits_.load(std::memory_order_relaxed);
    c.coalesced = coalesced_.load(std::memory_order_relaxed);
    c.misses = misses_.load(std::memory_order_relaxed);
    c.mints = mints_.load(std::memory_order_relaxed);
    c.mint_failures = mint_failures_.load(std::memory_order_relaxed);
    c.mint_ns_total = mint_ns_total_.load(std::memory_order_relaxed);
    c.evictions = evictions_.load(std::memory_order_relaxed);
    c.expirations = expirations_.load(std::memory_order_relaxed);
    c.rejected = rejected_.load(std::memory_order_relaxed);
    std::lock_guard lock(mutex_);
    c.entries = entries_.size();
    return c;
}

}  // namespace minewall::certs
