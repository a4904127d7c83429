// libFuzzer target: the feed parsers over arbitrary text. Every URL pattern a parser accepts
// must compile in the RE2::Set the snapshot builds, and line numbers must be within the text.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "policy/feed_parser.hpp"
#include "policy/regex_set.hpp"

using namespace minewall::policy;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    std::size_t lines = 1;
    for (char c : text)
        lines += c == '\n';
    auto adblock = parse_adblock_feed(text);
    RegexSet set(false);
    for (const auto* list : {&adblock.urls, &adblock.exception_urls})
        for (const auto& u : *list) {
            std::string error;
            if (!set.add(u.regex, &error)) std::abort();
        }
    set.compile();
    for (const auto& i : adblock.issues)
        if (i.line == 0 || i.line > lines) std::abort();
    for (auto format :
         {FeedFormat::Hosts, FeedFormat::Domains, FeedFormat::UserAgentCsv, FeedFormat::IpList}) {
        auto f = parse_feed(format, text);
        for (const auto& i : f.issues)
            if (i.line == 0 || i.line > lines) std::abort();
    }
    return 0;
}
