#include "weblog/nss_value_encoding.hpp"

#include <doctest/doctest.h>

using namespace minewall::weblog;

TEST_CASE("url hex encoding encodes control, space and high bytes only") {
    std::string out;
    CHECK_FALSE(append_url_hex(out, "a.com/x y\n\x7f\xc3\xa9?q=1&b=\"2\""));
    CHECK(out == "a.com/x%20y%0A%7F%C3%A9?q=1&b=\"2\"");
}

TEST_CASE("url hex encoding applies feed escape characters and reports it") {
    std::string out;
    CHECK(append_url_hex(out, "a.com/x,\"y\"", ",\""));
    CHECK(out == "a.com/x%2C%22y%22");
}

TEST_CASE("percent encoding keeps only unreserved characters") {
    std::string out;
    append_percent_encoded(out, "Windows Pro ZTunnel/1.0 j@x.com");
    CHECK(out == "Windows%20Pro%20ZTunnel%2F1.0%20j%40x.com");
}

TEST_CASE("base64 pads like the standard alphabet") {
    std::string out;
    append_base64(out, "f");
    out += ' ';
    append_base64(out, "fo");
    out += ' ';
    append_base64(out, "foo");
    out += ' ';
    append_base64(out, "foob");
    CHECK(out == "Zg== Zm8= Zm9v Zm9vYg==");
}

TEST_CASE("obfuscated numbers are stable and at most ten digits") {
    CHECK(obfuscated_number("jsmith") == obfuscated_number("jsmith"));
    CHECK(obfuscated_number("jsmith") != obfuscated_number("jsmith2"));
    CHECK(obfuscated_number("x") < 10000000000ull);
}

TEST_CASE("json escaping neutralises quotes, backslashes, controls and bad utf-8") {
    std::string out;
    append_json_escaped(out, "a\"b\\c\n\t\x01\x7f\xff\xc3\xa9\xed\xa0\x80");
    CHECK(
        out ==
        "a\\\"b\\\\c\\n\\t\\u0001\\u007F\xEF\xBF\xBD\xC3\xA9\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST_CASE("line-safe text never contains a tab, CR or LF") {
    std::string out;
    append_line_safe(out, "ua\tx\r\ny z");
    CHECK(out == "ua%09x%0D%0Ay z");
}

TEST_CASE("line-safe text copies printable runs between escapes and UTF-8 unchanged") {
    std::string out = "prefix ";
    append_line_safe(out, "Mozilla/5.0 (X11) \xc3\xa9t\xc3\xa9\x7f\xe2\x82 end");
    CHECK(out == "prefix Mozilla/5.0 (X11) \xc3\xa9t\xc3\xa9%7F\xEF\xBF\xBD\xEF\xBF\xBD end");
    out.clear();
    append_line_safe(out, "");
    CHECK(out.empty());
}

TEST_CASE("cef escaping differs between header and extension") {
    std::string header;
    append_cef_header_escaped(header, "a|b\\c=d");
    CHECK(header == "a\\|b\\\\c=d");
    std::string ext;
    append_cef_extension_escaped(ext, "a|b\\c=d\ne");
    CHECK(ext == "a|b\\\\c\\=d\\ne");
}

TEST_CASE("percent decoding reverses hex encoding and keeps malformed escapes") {
    CHECK(percent_decode("a%20b%2Fc%zz%4") == "a b/c%zz%4");
}

TEST_CASE("every ASCII byte between plain text is encoded by each encoder's rules") {
    const char* hex = "0123456789ABCDEF";
    auto pct = [&](unsigned char c) { return std::string{'%', hex[c >> 4], hex[c & 15]}; };
    auto control = [](unsigned char c) { return c < 0x20 || c == 0x7F; };
    for (unsigned v = 0; v < 0x80; ++v) {
        const auto c = static_cast<unsigned char>(v);
        const std::string ch(1, static_cast<char>(c));
        const std::string in = "ab" + ch + "cd";
        CAPTURE(v);

        std::string line;
        append_line_safe(line, in);
        CHECK(line == "ab" + (control(c) ? pct(c) : ch) + "cd");

        std::string json_expected;
        switch (c) {
            case '"':
                json_expected = "\\\"";
                break;
            case '\\':
                json_expected = "\\\\";
                break;
            case '\n':
                json_expected = "\\n";
                break;
            case '\r':
                json_expected = "\\r";
                break;
            case '\t':
                json_expected = "\\t";
                break;
            case '\b':
                json_expected = "\\b";
                break;
            case '\f':
                json_expected = "\\f";
                break;
            default:
                json_expected = control(c) ? std::string("\\u00") + hex[c >> 4] + hex[c & 15] : ch;
        }
        std::string json;
        append_json_escaped(json, in);
        CHECK(json == "ab" + json_expected + "cd");

        std::string header;
        append_cef_header_escaped(header, in);
        const bool header_escaped = c == '\\' || c == '|';
        CHECK(header == "ab" + (header_escaped ? "\\" + ch : control(c) ? pct(c) : ch) + "cd");

        std::string ext;
        append_cef_extension_escaped(ext, in);
        std::string ext_expected = c == '\\' || c == '=' ? "\\" + ch
                                   : c == '\n'           ? std::string("\\n")
                                   : c == '\r'           ? std::string("\\r")
                                   : control(c)          ? pct(c)
                                                         : ch;
        CHECK(ext == "ab" + ext_expected + "cd");
    }
}
