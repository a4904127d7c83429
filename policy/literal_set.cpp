#include "policy/literal_set.hpp"

#include <algorithm>
#include <stdexcept>

#include "text/ascii_text.hpp"

namespace minewall::policy {
namespace {

// Byte class for the shift table: ASCII folded to lower case; every other byte (0x80-0xFF)
// joins NUL in class 0. A filter only: candidates are compared on the real bytes.
unsigned fold_class(unsigned char c) {
    return c >= 0x80 ? 0 : static_cast<unsigned char>(text::to_lower(static_cast<char>(c)));
}

std::uint16_t pair_index(unsigned char a, unsigned char b) {
    return static_cast<std::uint16_t>((fold_class(a) << 7) | fold_class(b));
}

constexpr std::size_t kPairs = 128 * 128;  // 16 KiB shift table

}  // namespace

int LiteralSet::add(std::string_view literal, bool case_sensitive) {
    if (literal.empty()) throw std::invalid_argument("LiteralSet: empty literal");
    if (compiled_) throw std::logic_error("LiteralSet: add() after compile()");
    literals_.push_back({std::string(literal), case_sensitive});
    return static_cast<int>(literals_.size() - 1);
}

void LiteralSet::compile() {
    compiled_ = true;
    if (literals_.empty()) return;
    shortest_ = literals_.front().bytes.size();
    for (const auto& l : literals_)
        shortest_ = std::min(shortest_, l.bytes.size());
    if (shortest_ < 2) return;  // scan() compares at every position for one-byte literals
    // A pair ending at offset q of a literal's m-byte prefix allows a shift of m-1-q (0 at the
    // prefix's end: compare there); a pair in no prefix allows m-1.
    const std::size_t m = shortest_;
    shift_.assign(kPairs, static_cast<std::uint8_t>(std::min<std::size_t>(m - 1, 255)));
    for (std::size_t i = 0; i < literals_.size(); ++i) {
        const auto* b = reinterpret_cast<const unsigned char*>(literals_[i].bytes.data());
        for (std::size_t q = 1; q < m; ++q) {
            auto p = pair_index(b[q - 1], b[q]);
            auto s = static_cast<std::uint8_t>(std::min<std::size_t>(m - 1 - q, 255));
            shift_[p] = std::min(shift_[p], s);
        }
        tails_.push_back({pair_index(b[m - 2], b[m - 1]), static_cast<int>(i)});
    }
    std::sort(tails_.begin(), tails_.end(),
              [](const Tail& a, const Tail& b) { return a.pair < b.pair; });
}

bool LiteralSet::occurs_at(const Literal& lit, std::string_view text, std::size_t start) const {
    if (text.size() - start < lit.bytes.size()) return false;
    const std::string_view candidate = text.substr(start, lit.bytes.size());
    return lit.case_sensitive ? candidate == lit.bytes
                              : minewall::text::iequals(candidate, lit.bytes);
}

// Calls found(index) for every occurrence; found returns false to stop the scan.
template <typename Found>
void LiteralSet::scan(std::string_view text, Found&& found) const {
    if (!compiled_) throw std::logic_error("LiteralSet: match() before compile()");
    if (literals_.empty() || text.size() < shortest_) return;
    const auto* t = reinterpret_cast<const unsigned char*>(text.data());
    const std::size_t n = text.size();
    if (shortest_ < 2) {
        for (std::size_t start = 0; start < n; ++start)
            for (std::size_t i = 0; i < literals_.size(); ++i)
                if (occurs_at(literals_[i], text, start) && !found(static_cast<int>(i))) return;
        return;
    }
    const std::size_t m = shortest_;
    const std::uint8_t* shift = shift_.data();
    std::size_t pos = m - 1;  // last byte of the current window's m-byte prefix
    while (pos < n) {
        const std::uint16_t p = pair_index(t[pos - 1], t[pos]);
        if (const std::uint8_t s = shift[p]; s != 0) {
            pos += s;
            continue;
        }
        auto it = std::lower_bound(tails_.begin(), tails_.end(), p,
                                   [](const Tail& a, std::uint16_t v) { return a.pair < v; });
        const std::size_t start = pos + 1 - m;
        for (; it != tails_.end() && it->pair == p; ++it)
            if (occurs_at(literals_[static_cast<std::size_t>(it->literal)], text, start) &&
                !found(it->literal))
                return;
        ++pos;
    }
}

bool LiteralSet::match(std::string_view text, std::vector<int>& out) const {
    out.clear();
    scan(text, [&](int i) {
        out.push_back(i);
        return true;
    });
    if (out.size() > 1) {
        std::sort(out.begin(), out.end());
        out.erase(std::unique(out.begin(), out.end()), out.end());
    }
    return !out.empty();
}

bool LiteralSet::contains_any(std::string_view text) const {
    bool any = false;
    scan(text, [&](int) {
        any = true;
        return false;
    });
    return any;
}

}  // namespace minewall::policy
