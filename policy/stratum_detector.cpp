#include "policy/stratum_detector.hpp"

#include <charconv>

#include "policy/json_text.hpp"
#include "policy/mining_message.hpp"
#include "policy/threat_catalog.hpp"
#include "text/ascii_text.hpp"

namespace minewall::policy {
namespace {

constexpr std::size_t kMaxHttpHead = 64 * 1024;

Detection match(const MiningMessage& m, bool over_http) {
    Detection d;
    d.status = ScanStatus::Match;
    d.threat_name = std::string(m.dialect == "getwork" ? threat::kGetWork : threat::kStratum);
    d.evidence = m.method + " (" + m.dialect + (over_http ? ", HTTP POST)" : ")");
    return d;
}

Detection no_match() {
    return Detection{ScanStatus::NoMatch, {}, {}};
}
Detection need_more() {
    return Detection{ScanStatus::NeedMore, {}, {}};
}

Detection json_body(std::string_view body, bool over_http) {
    std::string_view text = trim_json_space(body);
    if (text.empty()) return need_more();
    if (text.front() != '{' && text.front() != '[') return no_match();
    auto parsed = parse_json_text(text);
    if (parsed.status == JsonTextStatus::Incomplete)
        return body.size() < kMaxStratumLine ? need_more() : no_match();
    if (parsed.status == JsonTextStatus::Invalid) return no_match();
    if (auto m = classify_mining_message(parsed.value)) return match(*m, over_http);
    return no_match();
}

Detection detect_lines(std::string_view bytes) {
    int examined = 0;
    while (examined < kStratumLinesExamined) {
        // Skip blank lines between messages.
        bytes = skip_json_space(bytes);
        if (bytes.empty()) return examined == 0 ? need_more() : no_match();
        if (bytes.front() != '{' && bytes.front() != '[') return no_match();
        auto nl = bytes.find('\n');
        std::string_view line = bytes.substr(0, nl);
        if (line.size() > kMaxStratumLine) return no_match();
        auto parsed = parse_json_text(trim_json_space(line));
        if (nl == std::string_view::npos) {
            // No newline yet: a stratum client always ends its message with one, so a complete
            // mining object is still decisive; an unfinished one needs more bytes.
            if (parsed.status == JsonTextStatus::Incomplete)
                return examined == 0 ? need_more() : no_match();
            if (parsed.status == JsonTextStatus::Invalid) return no_match();
            if (auto m = classify_mining_message(parsed.value)) return match(*m, false);
            return no_match();
        }
        if (parsed.status != JsonTextStatus::Complete) return no_match();
        if (auto m = classify_mining_message(parsed.value)) return match(*m, false);
        ++examined;
        bytes.remove_prefix(nl + 1);
    }
    return no_match();
}

// Finds a header value in an HTTP head (case-insensitive name); empty view when absent.
std::string_view header_value(std::string_view head, std::string_view name, bool* present) {
    *present = false;
    std::size_t pos = head.find("\r\n");
    while (pos != std::string_view::npos && pos + 2 < head.size()) {
        std::size_t start = pos + 2;
        std::size_t end = head.find("\r\n", start);
        std::string_view line =
            head.substr(start, end == std::string_view::npos ? head.npos : end - start);
        auto colon = line.find(':');
        if (colon != std::string_view::npos &&
            text::iequals(text::trim(line.substr(0, colon)), name)) {
            *present = true;
            return text::trim(line.substr(colon + 1));
        }
        pos = end;
    }
    return {};
}

Detection detect_http_post(std::string_view bytes) {
    auto head_end = bytes.find("\r\n\r\n");
    if (head_end == std::string_view::npos)
        return bytes.size() < kMaxHttpHead ? need_more() : no_match();
    std::string_view head = bytes.substr(0, head_end);
    std::string_view body = bytes.substr(head_end + 4);

    // cgminer/bfgminer announce their getwork extensions in these headers.
    bool present = false;
    header_value(head, "X-Mining-Extensions", &present);
    if (present)
        return Detection{ScanStatus::Match, std::string(threat::kGetWork),
                         "X-Mining-Extensions header"};

    std::size_t content_length = 0;
    std::string_view cl = header_value(head, "Content-Length", &present);
    bool has_length = false;
    if (present) {
        auto [p, ec] = std::from_chars(cl.data(), cl.data() + cl.size(), content_length);
        has_length = ec == std::errc{} && p == cl.data() + cl.size();
    }
    if (has_length && body.size() > content_length) body = body.substr(0, content_length);
    if (body.size() > kMaxStratumLine) body = body.substr(0, kMaxStratumLine);
    Detection d = json_body(body, true);
    if (d.status == ScanStatus::NeedMore && has_length && body.size() >= content_length)
        return no_match();
    return d;
}

}  // namespace

Detection detect_mining_json_body(std::string_view body) {
    return json_body(body, false);
}

Detection detect_mining_protocol(std::string_view bytes) {
    std::string_view start = skip_json_space(bytes);
    if (start.empty()) return need_more();
    constexpr std::string_view kPost = "POST ";
    if (start.size() < kPost.size() && kPost.starts_with(start)) return need_more();
    if (start.starts_with(kPost)) return detect_http_post(start);
    return detect_lines(start);
}

}  // namespace minewall::policy
