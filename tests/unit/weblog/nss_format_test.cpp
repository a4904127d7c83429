#include "weblog/nss_format.hpp"

#include <doctest/doctest.h>

#include "tests/unit/weblog/sample_records.hpp"

using namespace minewall::weblog;
using minewall::weblog::test::allowed_https_record;
using minewall::weblog::test::blocked_miner_record;

namespace {

NssFormat compile_ok(std::string_view f, NssFormatOptions options = {}) {
    auto result = NssFormat::compile(f, std::move(options));
    REQUIRE_MESSAGE(result.format, result.error);
    return std::move(*result.format);
}

std::string render(std::string_view f, const WebRecord& r, NssFormatOptions options = {}) {
    return compile_ok(f, std::move(options)).render(r);
}

}  // namespace

TEST_CASE("renders date and time tokens with printf widths") {
    const WebRecord r = blocked_miner_record();
    CHECK(render("%s{time}", r) == "Mon Oct 16 22:55:48 2023\n");
    CHECK(render("%d{yy}-%02d{mth}-%02d{dd} %02d{hh}:%02d{mm}:%02d{ss}", r) ==
          "2023-10-16 22:55:48\n");
    CHECK(render("%04d{yyyy} %s{mon} %s{day} %d{epochtime} %s{tz}", r) ==
          "2023 Oct Mon 1697496948 GMT\n");
    WebRecord early = r;
    early.start_time = minewall::weblog::test::at_epoch(60 * 61 + 5);
    CHECK(render("%d{hh}:%d{mm}:%d{ss} %02d{hh}:%02d{mm}:%02d{ss}", early) == "1:1:5 01:01:05\n");
    CHECK(render("%s{time}", early) == "Thu Jan  1 01:01:05 1970\n");
}

TEST_CASE("time tokens follow the feed time zone") {
    std::string error;
    NssFormatOptions options;
    options.time_zone = *FeedTimeZone::load("GMT+02:00", error);
    CHECK(render("%02d{hh}:%02d{mm} %s{tz}", blocked_miner_record(), options) ==
          "00:55 GMT+02:00\n");
}

TEST_CASE("hex, long and unsigned conversions and widths") {
    const WebRecord r = blocked_miner_record(255);
    CHECK(render("%x{recordid} %ld{recordid} %lu{recordid} %5d{recordid}|%-5d{recordid}|", r) ==
          "ff 255 255   255|255  |\n");
    CHECK(render("[%8s{action}][%-8s{action}]", r) == "[ Blocked][Blocked ]\n");
}

TEST_CASE("escapes and literal percent and braces") {
    CHECK(render("a\\tb\\{c\\}%%d\\\\", blocked_miner_record()) == "a\tb{c}%d\\\n");
}

TEST_CASE("line breaks typed in the format and a trailing newline are not output") {
    CHECK(render("a=%s{action}\n b\\n", blocked_miner_record()) == "a=Blocked b\n");
    CHECK(render("x\\r\\n", blocked_miner_record()) == "x\n");
}

TEST_CASE("a newline escape in the middle of a format is rejected") {
    const auto result = NssFormat::compile("a\\nb");
    CHECK_FALSE(result.format);
    CHECK(result.error.find("end of the format") != std::string::npos);
}

TEST_CASE("unknown field is an error naming the field and its column") {
    const auto result = NssFormat::compile("action=%s{action} x=%s{nosuchfield}");
    CHECK_FALSE(result.format);
    CHECK(result.error == "unknown field 'nosuchfield' at column 21");
}

TEST_CASE("malformed conversions are errors") {
    CHECK(NssFormat::compile("%q{action}").error.find("bad conversion") != std::string::npos);
    CHECK(NssFormat::compile("%s action").error.find("missing '{field}'") != std::string::npos);
    CHECK(NssFormat::compile("%s{action").error.find("unterminated") != std::string::npos);
    CHECK(NssFormat::compile("%d{login}").error.find("is text") != std::string::npos);
    CHECK(NssFormat::compile("trailing \\").error.find("dangling") != std::string::npos);
    CHECK(NssFormat::compile("").error.find("empty") != std::string::npos);
}

TEST_CASE("unknown values render as NSS does, never empty") {
    WebRecord r;  // nothing known
    r.url_category.clear();
    r.url_super_category.clear();
    r.url_class.clear();
    CHECK(render("%s{login}|%s{reqmethod}|%s{respcode}|%s{sip}|%s{cip}|%d{reqsize}|"
                 "%s{deviceowner}|%s{devicehostname}|%s{keyprotectiontype}|%s{threatname}|"
                 "%s{urlcat}|%s{ua}|%s{eua}|%s{referer}|%s{contenttype}|%s{bwthrottle}|"
                 "%s{clientsslsessreuse}|%s{bypassed_etime}|%s{action}|%s{reason}|%s{eedone}",
                 r) ==
          "None|NA|NA|0.0.0.0|0.0.0.0|0|NA|NA|N/A|None|None|None|None|None|Other|NO|UNKNOWN|"
          "Thu Jan  1 00:00:00 1970|Allowed|Allowed|No\n");
}

TEST_CASE("every catalog field renders a non-empty value for an empty record") {
    WebRecord r;
    r.url_category.clear();
    for (const FieldDef& field : nss_fields()) {
        const char conv = field.kind == FieldKind::Number ? 'd' : 's';
        const std::string f = std::string("%") + conv + "{" + std::string(field.name) + "}";
        const std::string line = render(f, r);
        CHECK_MESSAGE(line.size() > 1, field.name);
        CHECK(line.back() == '\n');
    }
}

TEST_CASE("maps record fields to the NSS tokens") {
    const WebRecord r = blocked_miner_record();
    CHECK(render("%s{cip} %s{cintip} %d{clt_sport} %s{login} %s{proto} %s{reqmethod} %s{url} "
                 "%s{host} %d{srv_dport} %s{respcode} %s{action} %d{riskscore} %s{threatseverity}",
                 r) ==
          "10.0.0.5 10.0.0.5 51000 jdoe@example.com HTTP_PROXY CONNECT pool.supportxmr.com:443 "
          "pool.supportxmr.com 443 403 Blocked 95 Critical\n");
    WebRecord xff = r;
    xff.client_forwarded_ip = "172.16.1.9";
    CHECK(render("%s{cip} %s{cintip}", xff) == "172.16.1.9 10.0.0.5\n");
    const WebRecord a = allowed_https_record();
    CHECK(render("%d{reqsize} %d{respsize} %d{totalsize} %s{ssldecrypted} %s{externalspr} "
                 "%s{refererhost} %s{eurlpath} %s{erefererpath} %s{reqversion}",
                 a) ==
          "1300 10500 11800 Yes Inspected www.example.org /index.html?q=1 /start 1.1\n");
}

TEST_CASE("domain fronting shows the SNI when the Host header differs") {
    WebRecord r = allowed_https_record();
    CHECK(render("%s{df_hostname}", r) == "None\n");
    r.host = "www.example.com:443";
    CHECK(render("%s{df_hostname}", r) == "None\n");
    r.host = "front.example.net";
    CHECK(render("%s{df_hostname}", r) == "www.example.com\n");
}

TEST_CASE("e-variants are url encoded, b64 and o variants re-encode") {
    WebRecord r = blocked_miner_record();
    r.user_agent = "Windows Microsoft Windows 10 Pro ZTunnel/1.0";
    CHECK(render("%s{eua}", r) == "Windows%20Microsoft%20Windows%2010%20Pro%20ZTunnel%2F1.0\n");
    CHECK(render("%s{elogin}", r) == "jdoe%40example.com\n");
    CHECK(render("%s{b64login}", r) == "amRvZUBleGFtcGxlLmNvbQ==\n");
    const std::string o = render("%s{ologin}", r);
    CHECK(o.find_first_not_of("0123456789\n") == std::string::npos);
    r.url = "a.com/x y\x01";
    CHECK(render("%s{url}|%s{eurl}", r) == "a.com/x%20y%01|a.com/x%20y%01\n");
}

TEST_CASE("feed escape characters apply to urls, hosts and referrers and set eedone") {
    WebRecord r = allowed_https_record();
    r.url = "www.example.com/a,b\"c";
    NssFormatOptions options;
    options.escape_chars = ",\"";
    CHECK(render("%s{eurl} %s{ua} %s{eedone}", r, options) ==
          "www.example.com/a%2Cb%22c Mozilla/5.0 Yes\n");
    CHECK(render("%s{eedone}", allowed_https_record(), options) == "No\n");
}

TEST_CASE("values cannot split a record in non-json formats") {
    WebRecord r = blocked_miner_record();
    r.user_agent = "evil\r\nuser=admin\tx";
    r.login = "a\nb";
    const std::string line = render("ua=%s{ua}\tuser=%s{login}", r);
    CHECK(line == "ua=evil%0D%0Auser=admin%09x\tuser=a%0Ab\n");
}

TEST_CASE("json formats escape every value") {
    WebRecord r = blocked_miner_record();
    r.user_agent = "x\"},\"action\":\"Allowed";
    r.login = "back\\slash\x01\xff";
    const std::string line = render("\\{\"ua\":\"%s{ua}\",\"user\":\"%s{login}\"\\}", r);
    CHECK(line ==
          "{\"ua\":\"x\\\"},\\\"action\\\":\\\"Allowed\",\"user\":\"back\\\\slash\\u0001"
          "\xEF\xBF\xBD\"}\n");
    auto compiled = NssFormat::compile("\\{\"a\":\"%s{ua}\"\\}");
    CHECK(compiled.format->is_json());
    NssFormatOptions forced;
    forced.json = JsonMode::Always;
    CHECK(render("prefix {\"a\":\"%s{ua}\"}", r, forced).find("x\\\"}") != std::string::npos);
}

TEST_CASE("cef header and extension values are escaped by position") {
    WebRecord r = blocked_miner_record();
    r.reason = "a|b=c";
    r.user_agent = "k=v \\ x";
    const std::string line = render(
        "x CEF:0|Zscaler|NSSWeblog|5.7|%s{action}|%s{reason}|3|reason=%s{reason} "
        "requestClientApplication=%s{ua}",
        r);
    CHECK(line ==
          "x CEF:0|Zscaler|NSSWeblog|5.7|Blocked|a\\|b=c|3|reason=a|b\\=c "
          "requestClientApplication=k\\=v \\\\ x\n");
}

TEST_CASE("leef header fields escape the pipe") {
    WebRecord r = blocked_miner_record();
    r.reason = "a|b";
    CHECK(render("LEEF:1.0|Zscaler|NSS|4.1|%s{reason}|cat=%s{reason}", r) ==
          "LEEF:1.0|Zscaler|NSS|4.1|a\\|b|cat=a|b\n");
}

TEST_CASE("field names of a compiled format are listed in order") {
    const NssFormat f = compile_ok("%s{action} %d{recordid} x");
    CHECK(f.field_names() == std::vector<std::string>{"action", "recordid"});
}
