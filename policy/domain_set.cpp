#include "policy/domain_set.hpp"

#include <algorithm>
#include <stdexcept>

namespace minewall::policy {
namespace {

char lower(char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool label_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

}  // namespace

std::optional<std::string> DomainSet::normalize(std::string_view domain, std::string* why) {
    auto fail = [&](const char* reason) -> std::optional<std::string> {
        if (why) *why = reason;
        return std::nullopt;
    };
    if (domain.starts_with("*."))
        domain.remove_prefix(2);
    else if (domain.starts_with("."))
        domain.remove_prefix(1);
    if (domain.ends_with(".")) domain.remove_suffix(1);
    if (domain.empty()) return fail("empty domain");
    if (domain.size() > 253) return fail("domain longer than 253 characters");
    std::string out;
    out.reserve(domain.size());
    std::size_t label_len = 0;
    for (char c : domain) {
        c = lower(c);
        if (c == '.') {
            if (label_len == 0) return fail("empty label in domain");
            label_len = 0;
        } else if (label_char(c)) {
            if (++label_len > 63) return fail("label longer than 63 characters");
        } else if (c == ':') {
            return fail("port or IPv6 address where a domain was expected");
        } else if (c == '/') {
            return fail("path where a domain was expected");
        } else {
            return fail("character not allowed in a domain");
        }
        out.push_back(c);
    }
    if (label_len == 0) return fail("empty label in domain");
    return out;
}

std::uint64_t DomainSet::default_mix(std::uint64_t h) {
    // MurmurHash3's 64-bit finalizer: FNV-1a alone leaves the low bits (the slot index) poorly
    // mixed for names that differ only in their last bytes.
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 33;
    return h;
}

std::uint64_t DomainSet::hash_of(std::string_view name) const {
    // Right to left, as match() computes it.
    std::uint64_t state = kFnvOffset;
    for (std::size_t i = name.size(); i-- > 0;)
        state = fnv_step(state, name[i]);
    return mix_(state);
}

void DomainSet::insert_slot(std::uint64_t hash, std::uint32_t record) {
    std::size_t i = hash & mask_;
    while (slots_[i].record_plus_one != 0)
        i = (i + 1) & mask_;
    slots_[i] = {static_cast<std::uint32_t>(hash >> 32), record + 1};
}

void DomainSet::grow(std::size_t capacity) {
    // The table stores no full hashes (8-byte slots), so rehashing reads each name back from
    // the arena: a load-time cost, avoided altogether by reserve().
    auto old = std::move(slots_);
    slots_.assign(capacity, Slot{});
    mask_ = capacity - 1;
    for (const Slot& s : old) {
        if (s.record_plus_one == 0) continue;
        std::uint32_t r = s.record_plus_one - 1;
        std::string_view name(arena_.data() + r + kHeader,
                              static_cast<unsigned char>(arena_[r + kLength]));
        insert_slot(hash_of(name), r);
    }
}

void DomainSet::reserve(std::size_t names, std::size_t name_bytes) {
    std::size_t want = count_ + names;
    std::size_t capacity = slots_.size();
    while (capacity < 2 * want)
        capacity *= 2;
    if (capacity != slots_.size()) grow(capacity);
    arena_.reserve(arena_.size() + names * kHeader + name_bytes);
}

void DomainSet::add(const std::string& domain, bool include_subdomains, std::uint32_t value) {
    if (domain.empty() || domain.size() > kMaxName)
        throw std::invalid_argument("DomainSet::add: name of " + std::to_string(domain.size()) +
                                    " bytes (1 to 255 expected)");
    const std::uint64_t hash = hash_of(domain);
    if (std::uint32_t r = find(domain, hash); r != kNone) {
        // A known name: append the value unless this (kind, value) is already there.
        bool first_subtree = (arena_[r + kFlags] & kFirstIsSubtree) != 0;
        if (first_subtree == include_subdomains && load_u32(r, kFirstValue) == value) return;
        std::uint32_t last = 0;
        for (std::uint32_t m = load_u32(r, kMore); m != 0; last = m, m = more_[m - 1].next)
            if (more_[m - 1].subtree == include_subdomains && more_[m - 1].value == value) return;
        if (more_.size() >= 0xFFFFFFFEu) throw std::length_error("DomainSet: too many values");
        more_.push_back({value, 0, include_subdomains});
        auto index = static_cast<std::uint32_t>(more_.size());
        if (last == 0)
            std::memcpy(arena_.data() + r + kMore, &index, sizeof index);
        else
            more_[last - 1].next = index;
        return;
    }
    // Keep the load at or below 1/2: linear probing stays short (a miss scans ~2.5 slots, all
    // usually in the same cache line).
    if (2 * (count_ + 1) > slots_.size()) grow(slots_.size() * 2);
    if (arena_.size() + kHeader + domain.size() >= 0xFFFFFFFFu)
        throw std::length_error("DomainSet: names exceed 4 GiB");
    auto r = static_cast<std::uint32_t>(arena_.size());
    std::uint32_t none = 0;
    char header[kHeader];
    std::memcpy(header + kFirstValue, &value, sizeof value);
    std::memcpy(header + kMore, &none, sizeof none);
    header[kFlags] = static_cast<char>(include_subdomains ? kFirstIsSubtree : 0);
    header[kLength] = static_cast<char>(static_cast<unsigned char>(domain.size()));
    arena_.insert(arena_.end(), header, header + kHeader);
    arena_.insert(arena_.end(), domain.begin(), domain.end());
    insert_slot(hash, r);
    ++count_;
    if (domain.size() > max_name_) max_name_ = domain.size();
}

std::string_view canonical_host(std::string_view host, std::string& scratch) {
    if (host.size() > 2 && host.front() == '[' && host.back() == ']')
        host = host.substr(1, host.size() - 2);
    if (host.ends_with(".")) host.remove_suffix(1);
    bool has_upper =
        std::any_of(host.begin(), host.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
    if (!has_upper) return host;
    scratch.assign(host);
    for (auto& c : scratch)
        c = lower(c);
    return scratch;
}

}  // namespace minewall::policy
