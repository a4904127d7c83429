// libFuzzer target: the browser-miner signature scan (LiteralSet) must find exactly what the
// previous RE2::Set of the same quoted literals finds, on any bytes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "policy/browser_miner_signatures.hpp"
#include "policy/regex_set.hpp"

using namespace minewall::policy;

namespace {

const RegexSet& reference() {
    static const RegexSet set = [] {
        RegexSet s(false);
        const auto& sigs = builtin_browser_miner_signatures();
        for (std::size_t i = 0; i < sigs.size(); ++i) {
            const auto& sig = sigs.at(static_cast<int>(i));
            std::string error;
            if (!s.add(std::string(sig.case_sensitive ? "" : "(?i)") + quote_regex(sig.literal),
                       &error))
                std::abort();
        }
        if (!s.compile()) std::abort();
        return s;
    }();
    return set;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    std::vector<int> got, want;
    builtin_browser_miner_signatures().match(text, got);
    reference().match(text, want);
    if (got != want) std::abort();
    return 0;
}
