#pragma once
// Many regular expressions matched in one pass (RE2::Set), behind a pimpl so RE2 stays out of
// the policy's public headers.
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace minewall::policy {

class RegexSet {
  public:
    explicit RegexSet(bool case_insensitive);
    ~RegexSet();
    RegexSet(RegexSet&&) noexcept;
    RegexSet& operator=(RegexSet&&) noexcept;

    // Adds an RE2 pattern (unanchored). Returns its index, or nullopt with *error set.
    std::optional<int> add(std::string_view pattern, std::string* error);
    // Must be called once after the last add(); false when RE2 ran out of its memory budget.
    bool compile();

    // Indices of every pattern that matches `text`, ascending, written to `out` (cleared first).
    // Returns false when nothing matched.
    bool match(std::string_view text, std::vector<int>& out) const;

    std::size_t size() const { return count_; }

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
    std::size_t count_ = 0;
};

// Escapes every RE2 metacharacter in `literal`.
std::string quote_regex(std::string_view literal);

}  // namespace minewall::policy
