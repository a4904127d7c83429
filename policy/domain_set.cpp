#include "policy/domain_set.hpp"

#include <algorithm>

namespace minewall::policy {
namespace {

char lower(char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool label_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

}  // namespace

std::optional<std::string> DomainSet::normalize(std::string_view domain, std::string* why) {
    auto fail = [&](const char* reason) -> std::optional<std::string> {
        if (why) *why = reason;
        return std::nullopt;
    };
    if (domain.starts_with("*."))
        domain.remove_prefix(2);
    else if (domain.starts_with("."))
        domain.remove_prefix(1);
    if (domain.ends_with(".")) domain.remove_suffix(1);
    if (domain.empty()) return fail("empty domain");
    if (domain.size() > 253) return fail("domain longer than 253 characters");
    std::string out;
    out.reserve(domain.size());
    std::size_t label_len = 0;
    for (char c : domain) {
        c = lower(c);
        if (c == '.') {
            if (label_len == 0) return fail("empty label in domain");
            label_len = 0;
        } else if (label_char(c)) {
            if (++label_len > 63) return fail("label longer than 63 characters");
        } else if (c == ':') {
            return fail("port or IPv6 address where a domain was expected");
        } else if (c == '/') {
            return fail("path where a domain was expected");
        } else {
            return fail("character not allowed in a domain");
        }
        out.push_back(c);
    }
    if (label_len == 0) return fail("empty label in domain");
    return out;
}

void DomainSet::add(const std::string& domain, bool include_subdomains, std::uint32_t value) {
    auto& entry = entries_[domain];
    auto& list = include_subdomains ? entry.subtree : entry.exact;
    if (std::find(list.begin(), list.end(), value) == list.end()) list.push_back(value);
}

std::string_view canonical_host(std::string_view host, std::string& scratch) {
    if (host.size() > 2 && host.front() == '[' && host.back() == ']')
        host = host.substr(1, host.size() - 2);
    if (host.ends_with(".")) host.remove_suffix(1);
    bool has_upper =
        std::any_of(host.begin(), host.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
    if (!has_upper) return host;
    scratch.assign(host);
    for (auto& c : scratch)
        c = lower(c);
    return scratch;
}

}  // namespace minewall::policy
