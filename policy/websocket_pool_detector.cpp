#include "policy/websocket_pool_detector.hpp"

#include "policy/json_text.hpp"
#include "policy/mining_message.hpp"
#include "policy/threat_catalog.hpp"
#include "policy/websocket_frame.hpp"

namespace minewall::policy {
namespace {

constexpr std::size_t kMaxMessage = 16 * 1024;

Detection judge(std::string_view payload, bool may_grow) {
    std::string_view text = trim_json_space(payload);
    if (text.empty()) return {may_grow ? ScanStatus::NeedMore : ScanStatus::NoMatch, {}, {}};
    if (text.front() != '{' && text.front() != '[') return {ScanStatus::NoMatch, {}, {}};
    if (text.size() > kMaxMessage) text = text.substr(0, kMaxMessage);
    auto parsed = parse_json_text(text);
    if (parsed.status == JsonTextStatus::Invalid) {
        // Stratum relayed over a WebSocket may keep its newline framing: judge the first line.
        auto nl = text.find('\n');
        if (nl == std::string_view::npos) return {ScanStatus::NoMatch, {}, {}};
        parsed = parse_json_text(trim_json_space(text.substr(0, nl)));
        if (parsed.status != JsonTextStatus::Complete) return {ScanStatus::NoMatch, {}, {}};
    }
    if (parsed.status == JsonTextStatus::Incomplete)
        return {
            may_grow && payload.size() < kMaxMessage ? ScanStatus::NeedMore : ScanStatus::NoMatch,
            {},
            {}};
    if (auto m = classify_mining_message(parsed.value))
        return {ScanStatus::Match, std::string(threat::kWebSocketPool),
                m->method + " (" + m->dialect + ", WebSocket)"};
    return {ScanStatus::NoMatch, {}, {}};
}

}  // namespace

Detection detect_websocket_pool_message(std::string_view payload) {
    return judge(payload, false);
}

Detection detect_websocket_pool(std::string_view frames) {
    auto messages = read_websocket_messages(frames, 4, 4 * kMaxMessage);
    for (const auto& m : messages.complete) {
        auto d = judge(m, false);
        if (d.status == ScanStatus::Match) return d;
    }
    if (messages.invalid) return {ScanStatus::NoMatch, {}, {}};
    if (messages.has_partial) {
        auto d = judge(messages.partial, true);
        if (d.status != ScanStatus::NoMatch) return d;
    }
    // Nothing decisive yet and no whole message seen: wait for the first one.
    if (messages.complete.empty() && !messages.compressed) return {ScanStatus::NeedMore, {}, {}};
    return {ScanStatus::NoMatch, {}, {}};
}

}  // namespace minewall::policy
