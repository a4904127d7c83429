#pragma once
// Exact and suffix domain matching by hashing the label suffixes of a host: "a.b.pool.com" costs
// four look-ups ("a.b.pool.com", "b.pool.com", "pool.com", "com"), whatever the set's size.
//
// Layout (chosen for a 1,000,000-name feed, where a node-based map spent most of a look-up in
// cache and TLB misses):
// - every stored name lives in one byte arena as a record [first value][more][flags][len][name];
// - an open-addressing table (linear probing, power-of-two size, load ≤ 1/2) of 8-byte slots
//   {32-bit hash tag, arena offset + 1}; 0 marks an empty slot;
// - both arrays are on huge pages when large (huge_page_allocator.hpp): no TLB miss per probe;
// - the hash is FNV-1a run right to left, so one pass over a host yields the hash of every
//   suffix; all their slots are prefetched before the first is probed, so the few cache misses
//   of a look-up overlap instead of following each other.
// A miss in a slot usually costs no arena access (tags differ); a hit costs one more memory
// access, to the record, whose header and name sit together.
// The hash is not keyed: names come from feeds the operator chose, and a feed crafted to collide
// can only make loading and look-ups slower (longer probe runs), never give a wrong answer.
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "policy/huge_page_allocator.hpp"

namespace minewall::policy {

class DomainSet {
  public:
    // Longest name add() accepts (DNS names are at most 253 bytes; normalize() enforces that).
    static constexpr std::size_t kMaxName = 255;

    // Turns the running (unmixed) suffix hash into the 64 bits the table uses. Tests pass a
    // deliberately poor one to force slot and tag collisions.
    using HashMix = std::uint64_t (*)(std::uint64_t);
    static std::uint64_t default_mix(std::uint64_t h);

    DomainSet() = default;
    explicit DomainSet(HashMix mix) : mix_(mix) {}

    // Lower-cases and validates a feed/rule domain: strips a leading "*." or "." and a trailing
    // dot. nullopt (with *why set) when it is not a plausible DNS name (e.g. "host:port").
    static std::optional<std::string> normalize(std::string_view domain,
                                                std::string* why = nullptr);

    // `domain` must be normalized (1..kMaxName bytes; throws std::invalid_argument otherwise, at
    // load time). include_subdomains: also match any name below it. Adding the same (domain,
    // kind, value) twice keeps one.
    void add(const std::string& domain, bool include_subdomains, std::uint32_t value);

    // Sizes the table and arena for `names` more names of `name_bytes` bytes in total, so a large
    // feed loads without rehashing.
    void reserve(std::size_t names, std::size_t name_bytes);

    // Calls visit(value, matched_domain) for every entry matching `host` (already lower-case, no
    // trailing dot, no port). Visits exact entries of the full name and subtree entries of every
    // suffix, longest suffix first, each entry's values in the order they were added (exact
    // ones before subtree ones). Names are compared byte for byte: "POOL.com" is not "pool.com".
    template <class Visit>
    void match(std::string_view host, Visit&& visit) const {
        if (host.empty() || count_ == 0) return;
        // Suffixes that can match, shortest first: each starts at 0 or after a dot, and none is
        // longer than the longest stored name (so at most kMaxName + 1 of them).
        struct Probe {
            std::size_t start;
            std::uint64_t hash;
        };
        Probe probes[kMaxName + 1];
        std::size_t n = 0;
        std::uint64_t state = kFnvOffset;
        for (std::size_t i = host.size(); i-- > 0;) {
            if (host.size() - i > max_name_) break;
            state = fnv_step(state, host[i]);
            if (i == 0 || host[i - 1] == '.') {
                std::uint64_t h = mix_(state);
                __builtin_prefetch(&slots_[h & mask_]);
                probes[n++] = {i, h};
            }
        }
        while (n > 0) {
            const Probe& p = probes[--n];
            std::string_view name = host.substr(p.start);
            std::uint32_t record = find(name, p.hash);
            if (record == kNone) continue;
            if (p.start == 0) visit_values(record, false, name, visit);
            visit_values(record, true, name, visit);
        }
    }

    // Number of distinct names stored.
    std::size_t size() const { return count_; }

  private:
    static constexpr std::uint64_t kFnvOffset = 0xcbf29ce484222325ull;
    static constexpr std::uint64_t kFnvPrime = 0x100000001b3ull;
    static constexpr std::uint32_t kNone = 0xFFFFFFFFu;

    static std::uint64_t fnv_step(std::uint64_t state, char c) {
        return (state ^ static_cast<unsigned char>(c)) * kFnvPrime;
    }

    // Arena record at offset r: first value (u32), index + 1 of the next value in more_ (u32,
    // 0 = none), flags (bit 0: first value is a subtree value), name length (u8), name bytes.
    static constexpr std::size_t kFirstValue = 0;
    static constexpr std::size_t kMore = 4;
    static constexpr std::size_t kFlags = 8;
    static constexpr std::size_t kLength = 9;
    static constexpr std::size_t kHeader = 10;
    static constexpr std::uint8_t kFirstIsSubtree = 1;

    // Values after an entry's first, chained in the order they were added.
    struct MoreValue {
        std::uint32_t value;
        std::uint32_t next;  // index + 1 into more_, 0 = end
        bool subtree;
    };

    std::uint32_t load_u32(std::uint32_t record, std::size_t field) const {
        std::uint32_t v;
        std::memcpy(&v, arena_.data() + record + field, sizeof v);
        return v;
    }

    // Arena offset of the record for `name`, or kNone.
    std::uint32_t find(std::string_view name, std::uint64_t hash) const {
        const auto tag = static_cast<std::uint32_t>(hash >> 32);
        for (std::size_t i = hash & mask_;; i = (i + 1) & mask_) {
            const Slot& s = slots_[i];
            if (s.record_plus_one == 0) return kNone;
            if (s.tag != tag) continue;
            const std::uint32_t r = s.record_plus_one - 1;
            const char* rec = arena_.data() + r;
            if (static_cast<unsigned char>(rec[kLength]) == name.size() &&
                std::memcmp(rec + kHeader, name.data(), name.size()) == 0)
                return r;
        }
    }

    template <class Visit>
    void visit_values(std::uint32_t record, bool subtree, std::string_view name,
                      Visit& visit) const {
        bool first_subtree = (arena_[record + kFlags] & kFirstIsSubtree) != 0;
        if (first_subtree == subtree) visit(load_u32(record, kFirstValue), name);
        for (std::uint32_t m = load_u32(record, kMore); m != 0; m = more_[m - 1].next)
            if (more_[m - 1].subtree == subtree) visit(more_[m - 1].value, name);
    }

    struct Slot {
        std::uint32_t tag = 0;
        std::uint32_t record_plus_one = 0;
    };

    std::uint64_t hash_of(std::string_view name) const;
    void grow(std::size_t capacity);
    void insert_slot(std::uint64_t hash, std::uint32_t record);

    HashMix mix_ = &default_mix;
    // One empty slot so match() on an empty set never indexes an empty vector (count_ guards too).
    std::vector<Slot, HugePageAllocator<Slot>> slots_ =
        std::vector<Slot, HugePageAllocator<Slot>>(1);
    std::size_t mask_ = 0;
    std::size_t count_ = 0;
    std::size_t max_name_ = 0;
    std::vector<char, HugePageAllocator<char>> arena_;
    std::vector<MoreValue> more_;
};

// Lower-cases a host for look-up, dropping a trailing dot and IPv6 brackets. Returns a view of
// `host` when nothing changes (the common case), else of `scratch`.
std::string_view canonical_host(std::string_view host, std::string& scratch);

}  // namespace minewall::policy
