// libFuzzer target: the streaming WebAssembly export reader and the content scanner. Feeding the
// bytes whole or in small chunks must give the same answer.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "policy/content_scanner.hpp"
#include "policy/wasm_exports.hpp"

using namespace minewall::policy;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view bytes(reinterpret_cast<const char*>(data), size);
    std::vector<WasmExport> whole_exports;
    auto whole = read_wasm_exports(bytes, whole_exports);
    WasmExportReader chunked;
    for (std::size_t i = 0; i < size; i += 7)
        chunked.feed(bytes.substr(i, 7));
    if (chunked.state() != whole || chunked.exports().size() != whole_exports.size()) std::abort();
    miner_wasm_export(whole_exports);

    ContentScanner a(builtin_browser_miner_signatures(), 4096);
    auto ra = a.feed(bytes);
    if (ra.status == ScanStatus::NeedMore) ra = a.finish();
    ContentScanner b(builtin_browser_miner_signatures(), 4096);
    Detection rb;
    for (std::size_t i = 0; i < size; i += 5)
        rb = b.feed(bytes.substr(i, 5));
    if (rb.status == ScanStatus::NeedMore) rb = b.finish();
    if (size > 0 && ra.status != rb.status) std::abort();
    return 0;
}
