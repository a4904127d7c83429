#include "policy/content_scanner.hpp"

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "policy/threat_catalog.hpp"
#include "text/ascii_text.hpp"

namespace minewall::policy {

bool content_type_is_scannable(std::string_view content_type) {
    // Only the media type, not its parameters, compared case-insensitively in place (no
    // allocation: this runs for every response).
    const std::string_view type = text::trim(content_type.substr(0, content_type.find(';')));
    if (type.empty()) return true;
    static constexpr std::string_view kExact[] = {
        "text/html",  "application/xhtml+xml",    "application/wasm",
        "text/plain", "application/octet-stream", "binary/octet-stream"};  // S3's default
    return std::any_of(std::begin(kExact), std::end(kExact),
                       [&](std::string_view s) { return text::iequals(type, s); }) ||
           text::icontains(type, "javascript") || text::icontains(type, "ecmascript");
}

ContentScanner::ContentScanner(const BrowserMinerSignatures& signatures, std::size_t limit,
                               bool scan_text, bool scan_wasm)
    : signatures_(signatures),
      limit_(limit),
      scan_text_(scan_text),
      scan_wasm_(scan_wasm),
      carry_{} {
    if (signatures.size() > kMaxSignatures || signatures.longest() > kMaxCarry + 1)
        throw std::logic_error("ContentScanner: signature catalog exceeds its fixed state");
}

void ContentScanner::scan_text(std::string_view text) {
    signatures_.match(text, hits_);
    for (int i : hits_)
        seen_[static_cast<std::size_t>(i)] = true;
}

bool ContentScanner::decide() {
    std::vector<int> calls, contexts;
    for (std::size_t i = 0; i < signatures_.size(); ++i) {
        if (!seen_[i]) continue;
        const auto& sig = signatures_.at(static_cast<int>(i));
        switch (sig.strength) {
            case SignatureStrength::Strong:
                result_ = {ScanStatus::Match, std::string(sig.threat_name),
                           std::string(sig.literal)};
                return true;
            case SignatureStrength::Call:
                calls.push_back(static_cast<int>(i));
                break;
            case SignatureStrength::Context:
                contexts.push_back(static_cast<int>(i));
                break;
        }
    }
    if (calls.size() >= 2 || (calls.size() == 1 && !contexts.empty())) {
        int second = calls.size() >= 2 ? calls[1] : contexts[0];
        result_ = {ScanStatus::Match, std::string(kGenericJsMiner),
                   std::string(signatures_.at(calls[0]).literal) + " + " +
                       std::string(signatures_.at(second).literal)};
        return true;
    }
    return false;
}

Detection ContentScanner::feed(std::string_view chunk) {
    if (result_.status != ScanStatus::NeedMore) return result_;
    if (scanned_ >= limit_) return result_ = {ScanStatus::NoMatch, {}, {}};
    chunk = chunk.substr(0, std::min(chunk.size(), limit_ - scanned_));
    scanned_ += chunk.size();

    // WebAssembly: judged by its export names, not by text.
    if (scan_wasm_ && wasm_.state() == WasmReadState::NeedMore) {
        wasm_.feed(chunk);
        if (wasm_.state() == WasmReadState::Done) {
            if (auto name = miner_wasm_export(wasm_.exports())) {
                bool randomx = text::to_lower(*name).find("randomx") != std::string::npos;
                return result_ = {ScanStatus::Match,
                                  randomx ? "CoinMiner.WASM.RandomX"
                                          : std::string(threat::kWasmCryptoNight),
                                  "wasm export " + *name};
            }
        }
    }

    if (!scan_text_) return scanned_ >= limit_ ? finish() : result_;
    // Text: the chunk itself, then the seam between the previous tail and this chunk's head.
    const std::size_t keep = signatures_.longest() - 1;
    scan_text(chunk);
    if (carry_len_ > 0) {
        char seam[2 * kMaxCarry];
        std::size_t head = std::min(chunk.size(), keep);
        std::memcpy(seam, carry_, carry_len_);
        if (head > 0) std::memcpy(seam + carry_len_, chunk.data(), head);
        scan_text(std::string_view(seam, carry_len_ + head));
    }
    if (chunk.size() >= keep) {
        std::memcpy(carry_, chunk.data() + chunk.size() - keep, keep);
        carry_len_ = keep;
    } else {
        // Keep the last `keep` bytes of carry + chunk.
        std::size_t total = carry_len_ + chunk.size();
        std::size_t drop = total > keep ? total - keep : 0;  // from the old carry's front
        std::memmove(carry_, carry_ + drop, carry_len_ - drop);
        if (!chunk.empty()) std::memcpy(carry_ + carry_len_ - drop, chunk.data(), chunk.size());
        carry_len_ = total - drop;
    }
    if (decide()) return result_;
    if (scanned_ >= limit_) return finish();
    return result_;
}

Detection ContentScanner::finish() {
    if (result_.status == ScanStatus::NeedMore) result_ = {ScanStatus::NoMatch, {}, {}};
    return result_;
}

}  // namespace minewall::policy
