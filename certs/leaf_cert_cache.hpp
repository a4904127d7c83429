#pragma once
// A bounded LRU cache of minted leaves keyed by normalized host, shared by all proxy threads.
// Concurrent requests for the same host mint once: the first caller mints, the others block on
// its std::shared_future. Minting an ECDSA leaf plus its SSL_CTX takes well under a millisecond,
// so that short blocking wait on an io_context thread is accepted rather than making every
// caller asynchronous. Failed mints are not cached.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <future>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "certs/leaf_issuer.hpp"

namespace minewall::certs {

struct LeafCacheOptions {
    std::size_t capacity = 10000;  // entries; at least 1
    // A leaf older than this is minted again, so a long-running proxy never serves a leaf near
    // its notAfter (leaves live 397 days).
    std::chrono::seconds max_age = std::chrono::hours(24 * 30);
};

struct LeafCacheCounters {
    std::uint64_t hits = 0;       // served from a finished entry
    std::uint64_t coalesced = 0;  // waited for another caller's mint of the same host
    std::uint64_t misses = 0;     // started a mint
    std::uint64_t mints = 0;      // mints finished (successful or not)
    std::uint64_t mint_failures = 0;
    std::uint64_t mint_ns_total = 0;  // wall time spent minting, summed
    std::uint64_t evictions = 0;      // dropped by the LRU bound
    std::uint64_t expirations = 0;    // dropped for max_age
    std::uint64_t rejected = 0;       // host names that cannot be a certificate name
    std::size_t entries = 0;
};

class LeafCertCache {
  public:
    // Called with the normalized host (lower-case DNS name or canonical IP text).
    using MintFunction = std::function<LeafResult(std::string_view host)>;

    explicit LeafCertCache(MintFunction mint, LeafCacheOptions options = {});
    // Convenience: mint with `issuer`, which the cache keeps alive.
    explicit LeafCertCache(std::shared_ptr<const LeafIssuer> issuer, LeafCacheOptions options = {});

    // Thread-safe. Returns the cached leaf, or mints it (see the class comment for waiting).
    LeafResult get(std::string_view host);

    // Drops every entry (e.g. after the CA changed). In-flight mints finish for their callers.
    void clear();

    LeafCacheCounters counters() const;

  private:
    struct Entry {
        std::shared_future<LeafResult> result;
        std::list<std::string>::iterator lru;
        std::chrono::steady_clock::time_point created;
        std::uint64_t generation = 0;
    };

    void evict_over_capacity();  // requires mutex_

    MintFunction mint_;
    LeafCacheOptions options_;

    mutable std::mutex mutex_;
    std::list<std::string> lru_;  // most recently used first
    std::unordered_map<std::string, Entry> entries_;
    std::uint64_t next_generation_ = 0;

    std::atomic<std::uint64_t> hits_{0};
    std::atomic<std::uint64_t> coalesced_{0};
    std::atomic<std::uint64_t> misses_{0};
    std::atomic<std::uint64_t> mints_{0};
    std::atomic<std::uint64_t> mint_failures_{0};
    std::atomic<std::uint64_t> mint_ns_total_{0};
    std::atomic<std::uint64_t> evictions_{0};
    std::atomic<std::uint64_t> expirations_{0};
    std::atomic<std::uint64_t> rejected_{0};
};

}  // namespace minewall::certs
