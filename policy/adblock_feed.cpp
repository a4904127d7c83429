// Adblock Plus filter lists (NoCoin and friends). A proxy sees requests, not pages, so:
//  - `||domain^` rules become domain (or IP) entries: one hash look-up per label at match time;
//  - other URL patterns become RE2 expressions (`*`, `^`, `|`, `||` converted, the rest literal);
//  - `/regex/` rules are used as RE2 when RE2 accepts them (no look-around, no back-references);
//  - `@@` exceptions become allow entries;
//  - element-hiding rules (##, #@#, #?#, #$#) are skipped and counted;
//  - options that only narrow a rule by resource type or party ($script, $third-party, ...) are
//    ignored, which errs towards blocking; `$domain=~site` exclusions are honoured as request-host
//    exclusions; rules limited to pages on given sites ($domain=site) or that rewrite responses
//    ($csp, $redirect, ...) cannot be applied by a proxy and are reported.
#include <re2/re2.h>

#include <array>

#include "policy/domain_set.hpp"
#include "policy/feed_lines.hpp"
#include "policy/feed_parser.hpp"
#include "policy/regex_set.hpp"

namespace minewall::policy {
namespace {

constexpr std::array<std::string_view, 26> kIgnoredOptions{
    "third-party", "~third-party",   "3p",
    "1p",          "first-party",    "~first-party",
    "script",      "image",          "stylesheet",
    "object",      "xmlhttprequest", "xhr",
    "subdocument", "frame",          "websocket",
    "webrtc",      "ping",           "media",
    "font",        "other",          "popup",
    "document",    "important",      "object-subrequest",
    "~script",     "~xmlhttprequest"};

bool ignored_option(std::string_view option) {
    for (auto o : kIgnoredOptions)
        if (option == o) return true;
    // Negated resource types (~image ...) only narrow the rule too.
    return option.starts_with("~") && option.find('=') == std::string_view::npos;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
    std::vector<std::string_view> out;
    while (true) {
        auto pos = s.find(sep);
        out.push_back(s.substr(0, pos));
        if (pos == std::string_view::npos) break;
        s.remove_prefix(pos + 1);
    }
    return out;
}

bool domain_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '-' || c == '_';
}

// "||example.com^" (optionally with a trailing "|"): the whole rule is a domain.
std::optional<std::string_view> pure_domain_rule(std::string_view pattern) {
    if (!pattern.starts_with("||")) return std::nullopt;
    pattern.remove_prefix(2);
    if (pattern.ends_with("^|"))
        pattern.remove_suffix(2);
    else if (pattern.ends_with("^"))
        pattern.remove_suffix(1);
    else
        return std::nullopt;
    if (pattern.empty()) return std::nullopt;
    for (char c : pattern)
        if (!domain_char(c)) return std::nullopt;
    return pattern;
}

// Literal characters a pattern must contain to be specific enough to apply to every request.
std::size_t literal_chars(std::string_view pattern) {
    std::size_t n = 0;
    for (char c : pattern)
        if (c != '*' && c != '^' && c != '|') ++n;
    return n;
}

}  // namespace

std::optional<std::string> adblock_pattern_to_regex(std::string_view pattern, bool match_case,
                                                    std::string* why) {
    auto fail = [&](const char* reason) -> std::optional<std::string> {
        if (why) *why = reason;
        return std::nullopt;
    };
    if (pattern.empty()) return fail("empty pattern");
    std::string re = match_case ? "" : "(?i)";
    if (pattern.starts_with("||")) {
        // Scheme, then the host itself or any of its subdomains.
        re += "^[a-z][a-z0-9+.\\-]*://(?:[^/?#]*\\.)?";
        pattern.remove_prefix(2);
    } else if (pattern.starts_with("|")) {
        re += "^";
        pattern.remove_prefix(1);
    }
    bool end_anchor = false;
    if (pattern.ends_with("|")) {
        end_anchor = true;
        pattern.remove_suffix(1);
    }
    if (pattern.find('|') != std::string_view::npos) return fail("'|' inside a pattern");
    if (literal_chars(pattern) < 4) return fail("pattern too generic to apply to every request");
    std::string literal;
    auto flush = [&] {
        re += quote_regex(literal);
        literal.clear();
    };
    for (char c : pattern) {
        if (c == '*') {
            flush();
            re += ".*";
        } else if (c == '^') {
            flush();
            // Separator: anything but a letter, digit or _ - . %, or the end of the URL.
            re += "(?:[^0-9A-Za-z_\\-.%]|$)";
        } else {
            literal.push_back(c);
        }
    }
    flush();
    if (end_anchor) re += "$";
    return re;
}

FeedEntries parse_adblock_feed(std::string_view text) {
    using namespace feed_lines;
    FeedEntries out;
    for_each_line(text, [&](std::size_t number, std::string_view line) {
        ++out.lines;
        auto report = [&](std::string message) {
            out.issues.push_back({number, std::move(message), std::string(clip(line))});
        };
        if (line.empty() || line.front() == '!' || line.starts_with("[Adblock")) {
            ++out.comments;
            return;
        }
        for (std::string_view cosmetic : {"##", "#@#", "#?#", "#$#", "#%#", "#@?#", "#@$#"}) {
            if (line.find(cosmetic) != std::string_view::npos) {
                ++out.cosmetic_skipped;
                return;
            }
        }
        // uBlock-style "# comment" lines (hosts-list headers pasted into filter lists).
        if (line.front() == '#') {
            ++out.comments;
            return;
        }
        std::string_view rule = line;
        bool exception = rule.starts_with("@@");
        if (exception) rule.remove_prefix(2);

        // Split off options: after the last '$' (for /regex/ rules, after the closing slash).
        std::string_view pattern = rule, options;
        bool regex_rule = rule.size() > 1 && rule.front() == '/';
        std::size_t dollar = std::string_view::npos;
        if (regex_rule) {
            auto close = rule.rfind("/$");
            if (close != std::string_view::npos && close > 0) dollar = close + 1;
            regex_rule =
                (dollar != std::string_view::npos) || (rule.size() > 1 && rule.back() == '/');
        }
        if (!regex_rule) dollar = rule.rfind('$');
        if (dollar != std::string_view::npos) {
            pattern = rule.substr(0, dollar);
            options = rule.substr(dollar + 1);
        }

        bool match_case = false;
        std::vector<std::string> excluded;
        for (auto option : split(options, ',')) {
            if (options.empty()) break;
            option = trim(option);
            if (option == "match-case") {
                match_case = true;
            } else if (option.starts_with("domain=")) {
                for (auto d : split(option.substr(7), '|')) {
                    if (!d.starts_with("~")) {
                        report("rule applies only on pages of certain sites ($domain=" +
                               std::string(d) + "); a proxy cannot see the page, rule skipped");
                        return;
                    }
                    if (auto n = DomainSet::normalize(d.substr(1))) excluded.push_back(*n);
                }
            } else if (ignored_option(option)) {
                ++out.options_ignored;
            } else {
                report("unsupported option $" + std::string(clip(option).substr(0, 40)) +
                       ", rule skipped");
                return;
            }
        }
        if (pattern.empty()) {
            report("rule without a URL pattern (options only), skipped");
            return;
        }

        if (auto domain = pure_domain_rule(pattern); domain && excluded.empty()) {
            if (!exception)
                if (auto ip = parse_ip_network(*domain)) {
                    out.ips.push_back({*ip, std::string(*domain), number});
                    return;
                }
            std::string why;
            auto normalized = DomainSet::normalize(*domain, &why);
            if (!normalized) {
                report("bad domain: " + why);
                return;
            }
            if (!exception && feed_lines::single_label(*normalized)) {
                report("single-label name refused (would cover a whole top-level domain)");
                return;
            }
            (exception ? out.exception_domains : out.domains)
                .push_back({*normalized, true, number});
            return;
        }

        FeedUrlPattern entry;
        entry.source = std::string(line);
        entry.excluded_hosts = std::move(excluded);
        entry.line = number;
        if (regex_rule) {
            std::string_view body = pattern.substr(1, pattern.size() - 2);
            RE2::Options o;
            o.set_log_errors(false);
            o.set_case_sensitive(match_case);
            o.set_encoding(RE2::Options::EncodingLatin1);
            RE2 probe(re2::StringPiece(body.data(), body.size()), o);
            if (!probe.ok()) {
                report("regular expression not supported by RE2 (" + probe.error() +
                       "), rule skipped");
                return;
            }
            entry.regex = (match_case ? "" : "(?i)") + std::string(body);
        } else {
            std::string why;
            auto re = adblock_pattern_to_regex(pattern, match_case, &why);
            if (!re) {
                report("cannot convert pattern: " + why);
                return;
            }
            entry.regex = std::move(*re);
        }
        (exception ? out.exception_urls : out.urls).push_back(std::move(entry));
    });
    return out;
}

}  // namespace minewall::policy
