#include "weblog/nss_value_encoding.hpp"

#include <cstdint>

namespace minewall::weblog {
namespace {

constexpr char kHex[] = "0123456789ABCDEF";

void append_hex_byte(std::string& out, unsigned char c) {
    out.push_back('%');
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 0x0F]);
}

bool is_unreserved(unsigned char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~';
}

// Length of the valid UTF-8 sequence starting at s[i], or 0 when it is not valid
// (overlong forms, surrogates and code points above U+10FFFF are invalid).
std::size_t utf8_sequence_length(std::string_view s, std::size_t i) {
    const auto b0 = static_cast<unsigned char>(s[i]);
    if (b0 < 0x80) return 1;
    std::size_t len = 0;
    std::uint32_t min = 0;
    std::uint32_t cp = 0;
    if ((b0 & 0xE0) == 0xC0) {
        len = 2, min = 0x80, cp = b0 & 0x1F;
    } else if ((b0 & 0xF0) == 0xE0) {
        len = 3, min = 0x800, cp = b0 & 0x0F;
    } else if ((b0 & 0xF8) == 0xF0) {
        len = 4, min = 0x10000, cp = b0 & 0x07;
    } else {
        return 0;
    }
    if (i + len > s.size()) return 0;
    for (std::size_t k = 1; k < len; ++k) {
        const auto b = static_cast<unsigned char>(s[i + k]);
        if ((b & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (b & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    return len;
}

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";

// Walks `value`, copying valid UTF-8 and printable ASCII, calling `on_ascii` for ASCII
// bytes that need escaping (control bytes, DEL and the printable bytes in `escaped`) and
// writing U+FFFD for invalid bytes. Runs of printable ASCII go out in one append: most values
// (host names, URLs, user agents) are nothing else, and the writer formats every record.
template <typename OnAscii>
void append_utf8_with(std::string& out, std::string_view value, std::string_view escaped,
                      OnAscii on_ascii) {
    const auto plain = [escaped](unsigned char c) {
        return c >= 0x20 && c < 0x7F &&
               escaped.find(static_cast<char>(c)) == std::string_view::npos;
    };
    for (std::size_t i = 0; i < value.size();) {
        std::size_t run = i;
        while (run < value.size() && plain(static_cast<unsigned char>(value[run])))
            ++run;
        if (run > i) {
            out.append(value.substr(i, run - i));
            i = run;
            continue;
        }
        const auto c = static_cast<unsigned char>(value[i]);
        if (c < 0x80) {
            on_ascii(out, c);
            ++i;
            continue;
        }
        const std::size_t len = utf8_sequence_length(value, i);
        if (len == 0) {
            out.append(kReplacement);
            ++i;
        } else {
            out.append(value.substr(i, len));
            i += len;
        }
    }
}

}  // namespace

bool append_url_hex(std::string& out, std::string_view value, std::string_view extra) {
    bool extra_done = false;
    for (const char ch : value) {
        const auto c = static_cast<unsigned char>(ch);
        if (c <= 0x20 || c >= 0x7F) {
            append_hex_byte(out, c);
        } else if (!extra.empty() && extra.find(ch) != std::string_view::npos) {
            append_hex_byte(out, c);
            extra_done = true;
        } else {
            out.push_back(ch);
        }
    }
    return extra_done;
}

void append_percent_encoded(std::string& out, std::string_view value) {
    for (const char ch : value) {
        const auto c = static_cast<unsigned char>(ch);
        if (is_unreserved(c)) {
            out.push_back(ch);
        } else {
            append_hex_byte(out, c);
        }
    }
}

void append_base64(std::string& out, std::string_view value) {
    static constexpr char kAlphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::size_t i = 0;
    for (; i + 3 <= value.size(); i += 3) {
        const std::uint32_t n = (static_cast<unsigned char>(value[i]) << 16) |
                                (static_cast<unsigned char>(value[i + 1]) << 8) |
                                static_cast<unsigned char>(value[i + 2]);
        out.push_back(kAlphabet[(n >> 18) & 63]);
        out.push_back(kAlphabet[(n >> 12) & 63]);
        out.push_back(kAlphabet[(n >> 6) & 63]);
        out.push_back(kAlphabet[n & 63]);
    }
    const std::size_t rest = value.size() - i;
    if (rest == 1) {
        const std::uint32_t n = static_cast<unsigned char>(value[i]) << 16;
        out.push_back(kAlphabet[(n >> 18) & 63]);
        out.push_back(kAlphabet[(n >> 12) & 63]);
        out.append("==");
    } else if (rest == 2) {
        const std::uint32_t n = (static_cast<unsigned char>(value[i]) << 16) |
                                (static_cast<unsigned char>(value[i + 1]) << 8);
        out.push_back(kAlphabet[(n >> 18) & 63]);
        out.push_back(kAlphabet[(n >> 12) & 63]);
        out.push_back(kAlphabet[(n >> 6) & 63]);
        out.push_back('=');
    }
}

std::uint64_t obfuscated_number(std::string_view value) {
    // FNV-1a, folded to 10 decimal digits like the NSS examples ("4094304256").
    std::uint64_t h = 14695981039346656037ull;
    for (const char ch : value) {
        h ^= static_cast<unsigned char>(ch);
        h *= 1099511628211ull;
    }
    return h % 10000000000ull;
}

void append_json_escaped(std::string& out, std::string_view value) {
    append_utf8_with(out, value, "\"\\", [](std::string& o, unsigned char c) {
        switch (c) {
            case '"':
                o.append("\\\"");
                return;
            case '\\':
                o.append("\\\\");
                return;
            case '\n':
                o.append("\\n");
                return;
            case '\r':
                o.append("\\r");
                return;
            case '\t':
                o.append("\\t");
                return;
            case '\b':
                o.append("\\b");
                return;
            case '\f':
                o.append("\\f");
                return;
            default:
                break;
        }
        if (c < 0x20 || c == 0x7F) {
            o.append("\\u00");
            o.push_back(kHex[c >> 4]);
            o.push_back(kHex[c & 0x0F]);
        } else {
            o.push_back(static_cast<char>(c));
        }
    });
}

void append_line_safe(std::string& out, std::string_view value) {
    append_utf8_with(out, value, "", [](std::string& o, unsigned char c) {
        if (c < 0x20 || c == 0x7F) {
            append_hex_byte(o, c);
        } else {
            o.push_back(static_cast<char>(c));
        }
    });
}

void append_cef_header_escaped(std::string& out, std::string_view value) {
    append_utf8_with(out, value, "\\|", [](std::string& o, unsigned char c) {
        if (c == '\\' || c == '|') {
            o.push_back('\\');
            o.push_back(static_cast<char>(c));
        } else if (c < 0x20 || c == 0x7F) {
            append_hex_byte(o, c);
        } else {
            o.push_back(static_cast<char>(c));
        }
    });
}

void append_cef_extension_escaped(std::string& out, std::string_view value) {
    append_utf8_with(out, value, "\\=", [](std::string& o, unsigned char c) {
        if (c == '\\' || c == '=') {
            o.push_back('\\');
            o.push_back(static_cast<char>(c));
        } else if (c == '\n') {
            o.append("\\n");
        } else if (c == '\r') {
            o.append("\\r");
        } else if (c < 0x20 || c == 0x7F) {
            append_hex_byte(o, c);
        } else {
            o.push_back(static_cast<char>(c));
        }
    });
}

std::string percent_decode(std::string_view value) {
    auto hex = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    };
    std::string out;
    out.reserve(value.size());
    for (std::size_t i = 0; i < value.size(); ++i) {
        if (value[i] == '%' && i + 2 < value.size()) {
            const int hi = hex(value[i + 1]);
            const int lo = hex(value[i + 2]);
            if (hi >= 0 && lo >= 0) {
                out.push_back(static_cast<char>(hi * 16 + lo));
                i += 2;
                continue;
            }
        }
        out.push_back(value[i]);
    }
    return out;
}

}  // namespace minewall::weblog
