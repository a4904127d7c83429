#pragma once
// Builds small but valid WebAssembly binaries byte by byte for the tests.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace minewall::policy::test {

inline std::string leb(std::uint32_t v) {
    std::string out;
    do {
        std::uint8_t b = v & 0x7f;
        v >>= 7;
        if (v) b |= 0x80;
        out.push_back(static_cast<char>(b));
    } while (v);
    return out;
}

inline std::string section(std::uint8_t id, const std::string& content) {
    return std::string(1, static_cast<char>(id)) + leb(static_cast<std::uint32_t>(content.size())) +
           content;
}

// A module with one function (i32, i32) -> i32 that adds its arguments, one memory, and the
// given exports (name, kind: 0 function, 2 memory), plus an optional custom section up front.
inline std::string wasm_module(const std::vector<std::pair<std::string, std::uint8_t>>& exports,
                               const std::string& custom_payload = {}) {
    std::string m("\0asm\1\0\0\0", 8);
    if (!custom_payload.empty()) m += section(0, leb(4) + "note" + custom_payload);
    m += section(1, std::string("\x01\x60\x02\x7f\x7f\x01\x7f", 7));  // type: (i32 i32) -> i32
    m += section(3, std::string("\x01\x00", 2));                      // function 0 has type 0
    m += section(5, std::string("\x01\x00\x01", 3));                  // memory: min 1 page
    std::string ex = leb(static_cast<std::uint32_t>(exports.size()));
    for (const auto& [name, kind] : exports)
        ex += leb(static_cast<std::uint32_t>(name.size())) + name +
              std::string(1, static_cast<char>(kind)) + leb(0);
    m += section(7, ex);
    std::string body("\x00\x20\x00\x20\x01\x6a\x0b", 7);  // local.get 0, local.get 1, i32.add, end
    m += section(10, leb(1) + leb(static_cast<std::uint32_t>(body.size())) + body);
    return m;
}

}  // namespace minewall::policy::test
