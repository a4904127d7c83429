// parse_nss_line on the edges of a line: the whitespace around it and the syslog header in
// front of CEF and LEEF bodies (ASCII whitespace, text/ascii_text.hpp).
#include "weblog/nss_line_parser.hpp"

#include <doctest/doctest.h>

using namespace minewall::weblog;

TEST_CASE("nss lines are read without the ASCII whitespace around them") {
    const auto json = parse_nss_line("\n \t{\"action\":\"Blocked\"}\r\n\v\f");
    REQUIRE_MESSAGE(json.error.empty(), json.error);
    CHECK(json.records.at(0).syntax == LogSyntax::Json);
    CHECK(json.records.at(0).value_or("action") == "Blocked");

    const auto kv = parse_nss_line("  action=Blocked\tuser=alice@example.com \r\n");
    REQUIRE_MESSAGE(kv.error.empty(), kv.error);
    CHECK(kv.records.at(0).value_or("user") == "alice@example.com");

    CHECK(parse_nss_line(" \t\r\n\v\f").error == "empty line");
}

TEST_CASE("the syslog header before CEF and LEEF is kept trimmed") {
    const auto cef = parse_nss_line(
        "<134>Jan 05 10:00:00 nss-vm \t CEF:0|Zscaler|NSSWeblog|5.0|Blocked|Blocked|3|act=Blocked");
    REQUIRE_MESSAGE(cef.error.empty(), cef.error);
    CHECK(cef.records.at(0).value_or("SyslogHeader") == "<134>Jan 05 10:00:00 nss-vm");
    CHECK(cef.records.at(0).value_or("act") == "Blocked");

    const auto leef = parse_nss_line(
        "<134>Jan 05 10:00:00 nss-vm  LEEF:1.0|Zscaler|NSS|4.1|Blocked|\taction=Blocked");
    REQUIRE_MESSAGE(leef.error.empty(), leef.error);
    CHECK(leef.records.at(0).value_or("SyslogHeader") == "<134>Jan 05 10:00:00 nss-vm");
    CHECK(leef.records.at(0).value_or("action") == "Blocked");
}
