#pragma once
// Streaming browser-miner scan of a response body: HTML/JavaScript text signatures and the export
// section of WebAssembly modules. Bounded (default first 256 KiB) and chunk-safe: the last bytes
// of each chunk are carried into the next scan, so a signature split across chunks is found.
#include <bitset>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "policy/browser_miner_signatures.hpp"
#include "policy/detection.hpp"
#include "policy/wasm_exports.hpp"

namespace minewall::policy {

inline constexpr std::size_t kDefaultContentScanLimit = 256 * 1024;

// The response types that can carry a browser miner and are therefore held and scanned: HTML,
// JavaScript (ECMAScript), WebAssembly, text/plain, untyped bytes (octet-stream, or no type).
// One list for the proxy (which responses to hold back) and the policy (which to scan).
// Images, media, fonts, JSON and event streams are passed on as they arrive: they carry no
// miner script, and API responses and streams must not wait for a scanner.
bool content_type_is_scannable(std::string_view content_type);

class ContentScanner {
  public:
    // Every body is offered to the WebAssembly reader (it gives up after 8 bytes that are not
    // "\0asm\1\0\0\0"), so a module served as application/octet-stream is still parsed.
    ContentScanner(const BrowserMinerSignatures& signatures, std::size_t limit,
                   bool scan_text = true, bool scan_wasm = true);

    // Scans the next body chunk. Match is sticky; NoMatch once the limit is reached; NeedMore
    // otherwise.
    Detection feed(std::string_view chunk);
    // The body ended: an undecided scan becomes NoMatch.
    Detection finish();

    std::size_t scanned() const { return scanned_; }

  private:
    void scan_text(std::string_view text);
    bool decide();

    const BrowserMinerSignatures& signatures_;
    std::size_t limit_;
    bool scan_text_;
    bool scan_wasm_;
    std::size_t scanned_ = 0;
    // Fixed-size state, so a scanner (one per response) allocates nothing unless it finds
    // something; the constructor checks the catalog fits.
    static constexpr std::size_t kMaxSignatures = 64;
    static constexpr std::size_t kMaxCarry = 64;
    char carry_[kMaxCarry];  // tail of the previous chunks (longest signature - 1 bytes)
    std::size_t carry_len_ = 0;
    std::bitset<kMaxSignatures> seen_;
    std::vector<int> hits_;  // scratch for LiteralSet match results
    WasmExportReader wasm_;
    Detection result_{ScanStatus::NeedMore, {}, {}};
};

}  // namespace minewall::policy
