#include "policy/wasm_exports.hpp"

#include <array>

namespace minewall::policy {
namespace {

enum class LebStatus { Ok, Incomplete, Invalid };

// Unsigned LEB128, at most 5 bytes for a u32.
LebStatus read_u32(std::string_view bytes, std::size_t& pos, std::uint32_t& value) {
    value = 0;
    for (int i = 0; i < 5; ++i) {
        if (pos >= bytes.size()) return LebStatus::Incomplete;
        auto b = static_cast<std::uint8_t>(bytes[pos++]);
        if (i == 4 && (b & 0xf0) != 0) return LebStatus::Invalid;
        value |= static_cast<std::uint32_t>(b & 0x7f) << (7 * i);
        if ((b & 0x80) == 0) return LebStatus::Ok;
    }
    return LebStatus::Invalid;
}

constexpr std::uint8_t kExportSection = 7;
constexpr std::uint8_t kCodeSection = 10;
constexpr std::uint8_t kDataSection = 11;

}  // namespace

WasmReadState WasmExportReader::feed(std::string_view chunk) {
    while (state_ == WasmReadState::NeedMore && !chunk.empty()) {
        switch (phase_) {
            case Phase::Preamble: {
                std::size_t take = std::min<std::size_t>(8 - pending_.size(), chunk.size());
                pending_.append(chunk.substr(0, take));
                chunk.remove_prefix(take);
                if (pending_.size() < 8) break;
                if (!has_magic(pending_) || pending_.substr(4) != std::string_view("\1\0\0\0", 4))
                    return state_ = WasmReadState::Invalid;
                pending_.clear();
                phase_ = Phase::SectionHeader;
                break;
            }
            case Phase::SectionHeader: {
                // id byte + LEB128 size (<= 5 bytes): gather byte by byte across chunks.
                pending_.push_back(chunk.front());
                chunk.remove_prefix(1);
                if (pending_.size() < 2) break;
                std::size_t pos = 1;
                std::uint32_t size = 0;
                auto st = read_u32(pending_, pos, size);
                if (st == LebStatus::Incomplete) break;
                if (st == LebStatus::Invalid) return state_ = WasmReadState::Invalid;
                auto id = static_cast<std::uint8_t>(pending_[0]);
                pending_.clear();
                if (id > 13) return state_ = WasmReadState::Invalid;
                // Non-custom sections come in a fixed order; exports precede code and data.
                if (id == kCodeSection || id == kDataSection) {
                    return state_ = WasmReadState::Done;
                }
                if (id != 0) last_section_ = id;
                if (id == kExportSection) {
                    if (size > kMaxExportSection) return state_ = WasmReadState::Invalid;
                    export_size_ = size;
                    phase_ = Phase::ExportBody;
                    if (size == 0) return state_ = parse_exports();
                } else {
                    skip_left_ = size;
                    phase_ = Phase::Skip;
                }
                break;
            }
            case Phase::Skip: {
                std::size_t take =
                    static_cast<std::size_t>(std::min<std::uint64_t>(skip_left_, chunk.size()));
                chunk.remove_prefix(take);
                skip_left_ -= take;
                if (skip_left_ == 0) phase_ = Phase::SectionHeader;
                break;
            }
            case Phase::ExportBody: {
                std::size_t take =
                    std::min<std::size_t>(export_size_ - pending_.size(), chunk.size());
                pending_.append(chunk.substr(0, take));
                chunk.remove_prefix(take);
                if (pending_.size() == export_size_) return state_ = parse_exports();
                break;
            }
        }
    }
    if (state_ == WasmReadState::NeedMore && phase_ == Phase::Skip && skip_left_ == 0)
        phase_ = Phase::SectionHeader;
    return state_;
}

WasmReadState WasmExportReader::parse_exports() {
    std::string_view body = pending_;
    std::size_t pos = 0;
    std::uint32_t count = 0;
    if (read_u32(body, pos, count) != LebStatus::Ok) return WasmReadState::Invalid;
    // Every export needs at least 3 bytes (name length, kind, index).
    if (count > body.size() / 3 + 1) return WasmReadState::Invalid;
    std::vector<WasmExport> out;
    out.reserve(count);
    for (std::uint32_t i = 0; i < count; ++i) {
        std::uint32_t len = 0;
        if (read_u32(body, pos, len) != LebStatus::Ok) return WasmReadState::Invalid;
        if (len > body.size() - pos) return WasmReadState::Invalid;
        WasmExport e;
        e.name.assign(body.substr(pos, len));
        pos += len;
        if (pos >= body.size()) return WasmReadState::Invalid;
        e.kind = static_cast<std::uint8_t>(body[pos++]);
        std::uint32_t index = 0;
        if (read_u32(body, pos, index) != LebStatus::Ok) return WasmReadState::Invalid;
        out.push_back(std::move(e));
    }
    if (pos != body.size()) return WasmReadState::Invalid;
    exports_ = std::move(out);
    pending_.clear();
    return WasmReadState::Done;
}

WasmReadState read_wasm_exports(std::string_view module, std::vector<WasmExport>& exports) {
    WasmExportReader reader;
    auto st = reader.feed(module);
    exports = reader.exports();
    return st;
}

std::optional<std::string> miner_wasm_export(const std::vector<WasmExport>& exports) {
    // Names used by the CryptoNight builds of CoinHive, CryptoLoot, deepMiner, webminerpool and
    // the xmrig-based RandomX web builds (emscripten prefixes C symbols with '_').
    static constexpr std::array<std::string_view, 8> kExact{
        "hash_cn",      "cn_hash",       "cn_slow_hash", "cn_fast_hash",
        "hash_cn_lite", "hash_cn_heavy", "hash_cn_pico", "cn_hash_variant"};
    for (const auto& e : exports) {
        std::string lower;
        lower.reserve(e.name.size());
        for (char c : e.name)
            lower.push_back((c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c);
        std::string_view n = lower;
        while (n.starts_with("_"))
            n.remove_prefix(1);
        if (n.find("cryptonight") != std::string_view::npos) return e.name;
        if (n.starts_with("randomx_")) return e.name;
        for (auto x : kExact)
            if (n == x) return e.name;
    }
    return std::nullopt;
}

}  // namespace minewall::policy
