#pragma once
// A small, streaming WebAssembly binary reader that extracts the export section (names only) and
// skips everything else without buffering it. Pure; bounded memory.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace minewall::policy {

struct WasmExport {
    std::string name;
    std::uint8_t kind = 0;  // 0 func, 1 table, 2 memory, 3 global, 4 tag
};

enum class WasmReadState {
    NeedMore,  // the export section has not been seen yet
    Done,      // exports() is final (empty when the module has no export section)
    Invalid,   // not a WebAssembly binary, or malformed
};

class WasmExportReader {
  public:
    WasmReadState feed(std::string_view chunk);
    WasmReadState state() const { return state_; }
    const std::vector<WasmExport>& exports() const { return exports_; }

    static bool has_magic(std::string_view bytes) {
        return bytes.size() >= 4 && bytes.substr(0, 4) == std::string_view("\0asm", 4);
    }

    static constexpr std::size_t kMaxExportSection = 256 * 1024;

  private:
    enum class Phase { Preamble, SectionHeader, Skip, ExportBody };
    WasmReadState parse_exports();

    Phase phase_ = Phase::Preamble;
    WasmReadState state_ = WasmReadState::NeedMore;
    std::string pending_;          // preamble / section header / export section bytes
    std::uint64_t skip_left_ = 0;  // bytes of the current non-export section still to skip
    std::uint32_t export_size_ = 0;
    std::uint8_t last_section_ = 0;
    std::vector<WasmExport> exports_;
};

// Convenience for a whole module (or a prefix of one).
WasmReadState read_wasm_exports(std::string_view module, std::vector<WasmExport>& exports);

// The CryptoNight/RandomX export that marks a browser miner (e.g. "_cryptonight_hash",
// "hash_cn", "randomx_calculate_hash"), or nullopt. Ordinary modules ("add", "main", "memory",
// "_malloc") do not match.
std::optional<std::string> miner_wasm_export(const std::vector<WasmExport>& exports);

}  // namespace minewall::policy
