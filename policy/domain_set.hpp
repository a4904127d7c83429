#pragma once
// Exact and suffix domain matching by hashing the label suffixes of a host: "a.b.pool.com" costs
// four look-ups ("a.b.pool.com", "b.pool.com", "pool.com", "com"), whatever the set's size.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace minewall::policy {

class DomainSet {
  public:
    // Lower-cases and validates a feed/rule domain: strips a leading "*." or "." and a trailing
    // dot. nullopt (with *why set) when it is not a plausible DNS name (e.g. "host:port").
    static std::optional<std::string> normalize(std::string_view domain,
                                                std::string* why = nullptr);

    // `domain` must be normalized. include_subdomains: also match any name below it.
    void add(const std::string& domain, bool include_subdomains, std::uint32_t value);

    // Calls visit(value, matched_domain) for every entry matching `host` (already lower-case, no
    // trailing dot, no port). Visits exact entries of the full name and subtree entries of every
    // suffix.
    template <class Visit>
    void match(std::string_view host, Visit&& visit) const {
        if (host.empty() || entries_.empty()) return;
        std::string_view name = host;
        bool full = true;
        for (;;) {
            if (auto it = entries_.find(name); it != entries_.end()) {
                if (full)
                    for (auto v : it->second.exact)
                        visit(v, name);
                for (auto v : it->second.subtree)
                    visit(v, name);
            }
            auto dot = name.find('.');
            if (dot == std::string_view::npos) break;
            name.remove_prefix(dot + 1);
            full = false;
        }
    }

    std::size_t size() const { return entries_.size(); }

  private:
    struct Hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const {
            return std::hash<std::string_view>{}(s);
        }
    };
    struct Entry {
        std::vector<std::uint32_t> exact;    // match the name itself only
        std::vector<std::uint32_t> subtree;  // match the name and every name below it
    };
    std::unordered_map<std::string, Entry, Hash, std::equal_to<>> entries_;
};

// Lower-cases a host for look-up, dropping a trailing dot and IPv6 brackets. Returns a view of
// `host` when nothing changes (the common case), else of `scratch`.
std::string_view canonical_host(std::string_view host, std::string& scratch);

}  // namespace minewall::policy
