// libFuzzer target: DomainSet against a plain reference model (a std::map of names to exact and
// subtree values, walked suffix by suffix: the old node-based implementation's semantics). Each
// input line is an operation: "+name" adds a subtree entry, "=name" an exact entry, "?host" looks
// up. The first byte picks the value space and whether every hash collides, so probing, growth and
// byte-wise name comparison are all exercised. Any difference in what is visited, or in which
// order, aborts.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "policy/domain_set.hpp"

using minewall::policy::DomainSet;

namespace {

struct Reference {
    struct Entry {
        std::vector<std::uint32_t> exact, subtree;
    };
    std::map<std::string, Entry, std::less<>> entries;

    void add(const std::string& name, bool subtree, std::uint32_t value) {
        auto& list = subtree ? entries[name].subtree : entries[name].exact;
        for (auto v : list)
            if (v == value) return;
        list.push_back(value);
    }

    std::vector<std::pair<std::uint32_t, std::string_view>> match(std::string_view host) const {
        std::vector<std::pair<std::uint32_t, std::string_view>> out;
        if (host.empty()) return out;
        std::string_view name = host;
        for (bool full = true;; full = false) {
            if (auto it = entries.find(name); it != entries.end()) {
                if (full)
                    for (auto v : it->second.exact)
                        out.emplace_back(v, name);
                for (auto v : it->second.subtree)
                    out.emplace_back(v, name);
            }
            auto dot = name.find('.');
            if (dot == std::string_view::npos) break;
            name.remove_prefix(dot + 1);
        }
        return out;
    }
};

std::uint64_t one_hash(std::uint64_t) {
    return 0x9e3779b97f4a7c15ull;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::uint8_t mode = data[0];
    std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
    DomainSet set = (mode & 1) ? DomainSet(&one_hash) : DomainSet();
    if (mode & 2) set.reserve(16, 256);
    Reference model;
    std::uint32_t value = 0;
    while (!text.empty()) {
        auto nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
        if (line.empty()) continue;
        std::string_view arg = line.substr(1);
        if (line[0] == '+' || line[0] == '=') {
            // Only what add() accepts (normalize() output is a subset: 1..253 bytes).
            if (arg.empty() || arg.size() > DomainSet::kMaxName) continue;
            std::string name(arg);
            // A small value space (mode bit 2) makes repeated (name, kind, value) triples likely.
            std::uint32_t v = (mode & 4) ? value++ % 3 : value++;
            set.add(name, line[0] == '+', v);
            model.add(name, line[0] == '+', v);
        } else if (line[0] == '?') {
            std::vector<std::pair<std::uint32_t, std::string_view>> got;
            set.match(arg, [&](std::uint32_t v, std::string_view n) { got.emplace_back(v, n); });
            if (got != model.match(arg)) std::abort();
        }
    }
    if (set.size() != model.entries.size()) std::abort();
    return 0;
}
