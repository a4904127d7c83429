#include "policy/wasm_exports.hpp"

#include <doctest/doctest.h>

#include "wasm_module_builder.hpp"

using namespace minewall::policy;
using test::wasm_module;

TEST_CASE("reads the export names of an ordinary module and finds no miner") {
    auto module = wasm_module({{"add", 0}, {"main", 0}, {"memory", 2}});
    std::vector<WasmExport> exports;
    REQUIRE(read_wasm_exports(module, exports) == WasmReadState::Done);
    REQUIRE(exports.size() == 3);
    CHECK(exports[0].name == "add");
    CHECK(exports[2].name == "memory");
    CHECK(exports[2].kind == 2);
    CHECK_FALSE(miner_wasm_export(exports));
}

TEST_CASE("finds CryptoNight exports of a browser miner module") {
    auto module =
        wasm_module({{"_cryptonight_create", 0}, {"_cryptonight_hash", 0}, {"memory", 2}});
    std::vector<WasmExport> exports;
    REQUIRE(read_wasm_exports(module, exports) == WasmReadState::Done);
    CHECK(miner_wasm_export(exports) == std::optional<std::string>("_cryptonight_create"));
    std::vector<WasmExport> short_names{{"hash_cn", 0}};
    CHECK(miner_wasm_export(short_names));
    std::vector<WasmExport> ordinary{{"_malloc", 0}, {"_free", 0}, {"stackAlloc", 0}, {"hash", 0}};
    CHECK_FALSE(miner_wasm_export(ordinary));
}

TEST_CASE("reads exports fed one byte at a time, skipping a large custom section") {
    auto module = wasm_module({{"_hash_cn", 0}}, std::string(70000, 'x'));
    WasmExportReader reader;
    WasmReadState st = WasmReadState::NeedMore;
    for (char c : module) {
        st = reader.feed(std::string_view(&c, 1));
        if (st != WasmReadState::NeedMore) break;
    }
    REQUIRE(st == WasmReadState::Done);
    CHECK(miner_wasm_export(reader.exports()) == std::optional<std::string>("_hash_cn"));
}

TEST_CASE("a truncated module needs more bytes and a non-module is invalid") {
    auto module = wasm_module({{"add", 0}});
    std::vector<WasmExport> exports;
    CHECK(read_wasm_exports(module.substr(0, module.size() - 12), exports) ==
          WasmReadState::NeedMore);
    CHECK(read_wasm_exports("<html><body>", exports) == WasmReadState::Invalid);
    CHECK(read_wasm_exports(std::string("\0asm\2\0\0\0", 8), exports) == WasmReadState::Invalid);
}

TEST_CASE("a corrupt export section is invalid") {
    std::string m("\0asm\1\0\0\0", 8);
    m += test::section(7, std::string("\x05\x03"
                                      "ab",
                                      4));  // 5 exports, name longer than section
    std::vector<WasmExport> exports;
    CHECK(read_wasm_exports(m, exports) == WasmReadState::Invalid);
}
