#pragma once
// Byte-level encodings NSS applies to field values, and the escaping each output syntax needs
// so that no value can break a record (split a line, end a JSON string, fake a CEF key).
// Every function appends to `out` (no allocation when `out` has capacity).
#include <cstdint>
#include <string>
#include <string_view>

namespace minewall::weblog {

// NSS URL-type hex encoding: bytes <= 0x20 or >= 0x7F become %HH; bytes listed in
// `extra` (the feed escape characters) too. Returns true when an `extra` byte was encoded.
bool append_url_hex(std::string& out, std::string_view value, std::string_view extra = {});

// The e… fields for non-URL values (eua, elogin, ...): every byte outside the RFC 3986
// unreserved set [A-Za-z0-9-._~] becomes %HH ("Windows%20Pro%20ZTunnel%2F1.0").
void append_percent_encoded(std::string& out, std::string_view value);

// Standard base64 with padding (the b64… fields).
void append_base64(std::string& out, std::string_view value);

// A stable number standing in for a value (the o… fields): the same input always gives the
// same number within and across runs, the value itself is not recoverable from it.
std::uint64_t obfuscated_number(std::string_view value);

// Text for a JSON string body: quotes, backslashes and control bytes escaped, invalid UTF-8
// replaced by U+FFFD, so the result is always valid inside "...".
void append_json_escaped(std::string& out, std::string_view value);

// Text for a syslog line (tab key=value, LEEF attributes, free text): control bytes become
// %HH so a value can never add a tab, CR or LF; invalid UTF-8 becomes U+FFFD.
void append_line_safe(std::string& out, std::string_view value);

// CEF header field: backslash and pipe escaped with a backslash; control bytes as above.
void append_cef_header_escaped(std::string& out, std::string_view value);

// CEF extension value: backslash and '=' escaped, CR/LF as \r \n, other control bytes %HH.
void append_cef_extension_escaped(std::string& out, std::string_view value);

// LEEF header field: the pipe is the separator, so it is escaped as in CEF.
inline void append_leef_header_escaped(std::string& out, std::string_view value) {
    append_cef_header_escaped(out, value);
}

// Decodes %HH sequences (invalid sequences are kept as they are).
std::string percent_decode(std::string_view value);

}  // namespace minewall::weblog
