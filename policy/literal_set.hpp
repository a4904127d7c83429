#pragma once
// Many byte literals searched in one pass: multi-pattern Wu-Manber over case-folded byte pairs.
// With the shortest literal m bytes long, the window moves up to m-1 bytes at a time wherever the
// text's byte pair occurs in no literal's first m bytes, so ordinary text is mostly skipped, not
// read byte by byte; only where a pair ends some literal's m-byte prefix are literals compared.
// No regex engine, no allocation per scan (beyond the caller's output vector).
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace minewall::policy {

class LiteralSet {
  public:
    // Adds a non-empty literal; returns its index. Case-insensitive literals fold ASCII letters
    // only (like RE2's (?i) on Latin-1 text restricted to ASCII literals).
    int add(std::string_view literal, bool case_sensitive);
    // Must be called once after the last add() and before match().
    void compile();

    // Indices of every literal that occurs in `text`, ascending and unique, written to `out`
    // (cleared first). Returns false when none occurs.
    bool match(std::string_view text, std::vector<int>& out) const;
    // True when at least one literal occurs in `text` (stops at the first).
    bool contains_any(std::string_view text) const;

    std::size_t size() const { return literals_.size(); }
    std::size_t shortest() const { return shortest_; }

  private:
    struct Literal {
        std::string bytes;
        bool case_sensitive = true;
    };
    struct Tail {
        std::uint16_t pair;  // folded byte pair ending the literal's first shortest_ bytes
        int literal;
    };
    template <typename Found>
    void scan(std::string_view text, Found&& found) const;
    bool occurs_at(const Literal& lit, std::string_view text, std::size_t start) const;

    std::vector<Literal> literals_;
    std::vector<std::uint8_t> shift_;  // per folded byte pair: how far the window may move
    std::vector<Tail> tails_;          // sorted by pair: the literals to compare at shift 0
    std::size_t shortest_ = 0;
    bool compiled_ = false;
};

}  // namespace minewall::policy
