#include "policy/regex_set.hpp"

#include <re2/re2.h>
#include <re2/set.h>

#include <algorithm>

namespace minewall::policy {
namespace {

RE2::Options set_options(bool case_insensitive) {
    RE2::Options o;
    o.set_case_sensitive(!case_insensitive);
    o.set_log_errors(false);
    // Bytes, not UTF-8: URLs, headers and payloads are not guaranteed to be valid UTF-8.
    o.set_encoding(RE2::Options::EncodingLatin1);
    o.set_max_mem(64 << 20);  // large feeds: keep the DFA from giving up
    return o;
}

}  // namespace

struct RegexSet::Impl {
    explicit Impl(bool ci) : set(set_options(ci), RE2::UNANCHORED) {}
    RE2::Set set;
    bool compiled = false;
};

RegexSet::RegexSet(bool case_insensitive) : impl_(std::make_unique<Impl>(case_insensitive)) {}
RegexSet::~RegexSet() = default;
RegexSet::RegexSet(RegexSet&&) noexcept = default;
RegexSet& RegexSet::operator=(RegexSet&&) noexcept = default;

std::optional<int> RegexSet::add(std::string_view pattern, std::string* error) {
    std::string err;
    int index = impl_->set.Add(re2::StringPiece(pattern.data(), pattern.size()), &err);
    if (index < 0) {
        if (error) *error = err.empty() ? "invalid regular expression" : err;
        return std::nullopt;
    }
    ++count_;
    return index;
}

bool RegexSet::compile() {
    if (count_ == 0) return true;  // RE2::Set refuses to compile empty; match() handles it
    impl_->compiled = impl_->set.Compile();
    return impl_->compiled;
}

bool RegexSet::match(std::string_view text, std::vector<int>& out) const {
    out.clear();
    if (!impl_->compiled) return false;
    const re2::StringPiece piece(text.data(), text.size());
    // Nearly every text matches nothing: ask yes/no first, which stops at the first match and
    // allocates nothing; only a hit pays for the list of which patterns matched.
    if (!impl_->set.Match(piece, nullptr)) return false;
    impl_->set.Match(piece, &out);
    std::sort(out.begin(), out.end());
    return !out.empty();
}

std::string quote_regex(std::string_view literal) {
    return RE2::QuoteMeta(re2::StringPiece(literal.data(), literal.size()));
}

}  // namespace minewall::policy
