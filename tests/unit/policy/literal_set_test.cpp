#include "policy/literal_set.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "policy/browser_miner_signatures.hpp"
#include "policy/regex_set.hpp"

using namespace minewall::policy;

namespace {

struct Lit {
    std::string text;
    bool case_sensitive;
};

char lower(char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

// Reference: every literal compared at every offset.
std::vector<int> naive_match(const std::vector<Lit>& lits, std::string_view text) {
    std::vector<int> out;
    for (std::size_t i = 0; i < lits.size(); ++i) {
        const auto& l = lits[i].text;
        for (std::size_t s = 0; s + l.size() <= text.size(); ++s) {
            bool eq = true;
            for (std::size_t k = 0; k < l.size() && eq; ++k)
                eq = lits[i].case_sensitive ? text[s + k] == l[k]
                                            : lower(text[s + k]) == lower(l[k]);
            if (eq) {
                out.push_back(static_cast<int>(i));
                break;
            }
        }
    }
    return out;
}

LiteralSet build(const std::vector<Lit>& lits) {
    LiteralSet set;
    for (const auto& l : lits)
        set.add(l.text, l.case_sensitive);
    set.compile();
    return set;
}

struct Rng {
    std::uint64_t state;
    std::uint64_t next() {
        state = state * 6364136223846793005ull + 1442695040888963407ull;
        return state >> 33;
    }
};

// Random text drawn mostly from the literals' own bytes (in random case), so near misses and
// overlapping partial matches are frequent; some non-ASCII and NUL bytes too.
std::string random_text(Rng& rng, const std::vector<Lit>& lits, std::size_t size) {
    std::string alphabet;
    for (const auto& l : lits)
        alphabet += l.text;
    alphabet += std::string("\0\x80\xE9\xFF \n", 6);
    std::string t;
    while (t.size() < size) {
        if (rng.next() % 50 == 0) {  // plant a literal, sometimes with its case flipped
            std::string l = lits[rng.next() % lits.size()].text;
            if (rng.next() % 2)
                for (auto& c : l)
                    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
            t += l;
        } else {
            char c = alphabet[rng.next() % alphabet.size()];
            if (rng.next() % 3 == 0 && c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
            t.push_back(c);
        }
    }
    return t;
}

void check_against_reference(const std::vector<Lit>& lits, std::uint64_t seed) {
    LiteralSet set = build(lits);
    Rng rng{seed};
    std::vector<int> got;
    for (int round = 0; round < 300; ++round) {
        std::string text = random_text(rng, lits, rng.next() % 300);
        auto want = naive_match(lits, text);
        set.match(text, got);
        REQUIRE_MESSAGE(got == want, "text: " << text);
        CHECK(set.contains_any(text) == !want.empty());
    }
}

}  // namespace

TEST_CASE("literal set finds each literal at every offset and nothing else") {
    std::vector<Lit> lits{{"coinhive", false},
                          {"CoinHive.Anonymous", true},
                          {"miner.start(", false},
                          {"monero", false}};
    LiteralSet set = build(lits);
    std::vector<int> got;
    for (std::size_t i = 0; i < lits.size(); ++i) {
        for (std::size_t offset = 0; offset < 40; ++offset) {
            std::string text = std::string(offset, 'x') + lits[i].text + std::string(7, 'y');
            CHECK(set.match(text, got));
            CHECK(std::find(got.begin(), got.end(), static_cast<int>(i)) != got.end());
        }
    }
    // Text that ends exactly where the literal ends.
    CHECK(set.match("see monero", got));
    CHECK(got == std::vector<int>{3});
    CHECK_FALSE(set.match("", got));
    CHECK_FALSE(set.match("mone", got));
}

TEST_CASE("literal set: case-insensitive literals fold ASCII, case-sensitive ones do not") {
    LiteralSet set = build({{"CoinHive.Anonymous", true}, {"site_key", false}});
    std::vector<int> got;
    CHECK(set.match("new CoinHive.Anonymous('k')", got));
    CHECK(got == std::vector<int>{0});
    CHECK_FALSE(set.match("new coinhive.anonymous('k')", got));
    CHECK(set.match("var SITE_KEY = 1", got));
    CHECK(got == std::vector<int>{1});
    CHECK(set.match("SiTe_KeY", got));
}

TEST_CASE("literal set: look-alikes and truncations do not match") {
    LiteralSet set =
        build({{"coinhive.min.js", false}, {"cryptonight.wasm", false}, {"monero", false}});
    std::vector<int> got;
    CHECK_FALSE(set.match("coinhive.min.j", got));
    CHECK_FALSE(set.match("coinhive-min.js coinhive.mjn.js", got));
    CHECK_FALSE(set.match("cryptonight_wasm cryptonightwasm", got));
    CHECK_FALSE(set.match("moneyro monerp m0nero", got));
    // The bytes a case fold would confuse with ASCII letters stay distinct.
    CHECK_FALSE(set.match("mon\xC5ro \xCDonero", got));
}

TEST_CASE("literal set agrees with a naive search on random text") {
    // Typical: the browser-miner signatures' shape.
    check_against_reference({{"coinhive", false},
                             {"CoinHive.User(", true},
                             {"site_key", false},
                             {"monero", false},
                             {"hashrate", false},
                             {"getTotalHashes(", true}},
                            1);
    // Overlapping literals, one a prefix or suffix of another, shared tails.
    check_against_reference(
        {{"abcab", false}, {"abcabc", true}, {"bcabcX", false}, {"cabca", false}, {"xxabc", true}},
        2);
    // Short literals: two and three bytes (the smallest skip), and one byte (no skip).
    check_against_reference({{"ab", false}, {"abc", true}, {"zab", false}}, 3);
    check_against_reference({{"a", true}, {"xyz", false}}, 4);
    // Literals with non-ASCII and NUL bytes are compared byte for byte.
    check_against_reference(
        {{std::string("\xE9t\xE9", 3), false}, {std::string("a\0b", 3), true}, {"plain", false}},
        5);
}

TEST_CASE("browser-miner signatures: literal scan gives the same result as the RE2 set") {
    // The previous implementation ran the catalog as one RE2::Set of quoted literals ((?i) for
    // the case-insensitive ones). The literal scan must find exactly the same signatures.
    const auto& sigs = builtin_browser_miner_signatures();
    RegexSet reference(false);
    std::vector<Lit> lits;
    for (std::size_t i = 0; i < sigs.size(); ++i) {
        const auto& s = sigs.at(static_cast<int>(i));
        std::string error;
        REQUIRE(reference.add(std::string(s.case_sensitive ? "" : "(?i)") + quote_regex(s.literal),
                              &error));
        lits.push_back({std::string(s.literal), s.case_sensitive});
    }
    REQUIRE(reference.compile());
    Rng rng{42};
    std::vector<int> got, want;
    for (int round = 0; round < 400; ++round) {
        std::string text = random_text(rng, lits, 50 + rng.next() % 600);
        sigs.match(text, got);
        reference.match(text, want);
        REQUIRE_MESSAGE(got == want, "text: " << text);
    }
    // Every signature, alone in ordinary text.
    for (std::size_t i = 0; i < sigs.size(); ++i) {
        std::string text = "function f(){ return 1; } " + lits[i].text + " var x = 2;";
        sigs.match(text, got);
        reference.match(text, want);
        CHECK(got == want);
        CHECK(std::find(got.begin(), got.end(), static_cast<int>(i)) != got.end());
    }
}
