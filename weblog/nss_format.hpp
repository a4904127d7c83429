#pragma once
// An NSS feed output format, compiled once into literal and field operations; rendering a
// record walks the operations (no per-record parsing). Grammar (Zscaler's NSS feed guide):
// %s{f} %d{f} %x{f} %u{f}, flags '-' '0' and a width (%02d{hh}), length l/ll (%ld, %lu),
// escapes \t \n \r \{ \} \\ and %% for '%'. Line breaks typed into the format are ignored and
// a trailing \n is dropped: every record is exactly one line, ended by one '\n'.
//
// Values are made safe for the syntax around them: JSON formats (a format starting with "\{",
// or JsonMode::Always) JSON-escape every value; after "CEF:" the header fields escape | and \,
// the extension values escape = and \; otherwise control bytes become %HH. No value can end
// a record, break a JSON string, or fake a key.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "weblog/feed_time_zone.hpp"
#include "weblog/nss_field_catalog.hpp"
#include "weblog/web_record.hpp"

namespace minewall::weblog {

enum class JsonMode : std::uint8_t { Auto, Always, Never };

struct NssFormatOptions {
    std::string escape_chars;  // feed escape characters (URLs, hosts, referrers get %HH)
    JsonMode json = JsonMode::Auto;
    FeedTimeZone time_zone;       // GMT unless set
    std::string product_version;  // %s{productversion}
    std::string service_ip;       // %s{nsssvcip}
};

// Where a value lands, which decides how it is escaped.
enum class ValueContext : std::uint8_t { Line, Json, CefHeader, CefExtension, LeefHeader };

struct FormatOp {
    bool is_field = false;
    std::string literal;  // literal text (is_field == false)
    const FieldDef* field = nullptr;
    char conversion = 's';  // s, d, x, u
    bool zero_pad = false;
    bool left_align = false;
    int width = 0;
    ValueContext context = ValueContext::Line;
};

struct NssFormatCompileResult;

class NssFormat {
  public:
    static NssFormatCompileResult compile(std::string_view format, NssFormatOptions options = {});

    // Appends the record as one line, '\n' included.
    void render(const WebRecord& record, std::string& out) const;
    std::string render(const WebRecord& record) const;

    bool is_json() const { return json_; }
    const std::vector<FormatOp>& ops() const { return ops_; }
    std::vector<std::string> field_names() const;

  private:
    NssFormat() = default;
    void render_field(const FormatOp& op, const RenderInput& in, std::string& out,
                      std::string& scratch, std::string& encoded, std::string& piece) const;

    std::vector<FormatOp> ops_;
    bool json_ = false;
    bool uses_eedone_ = false;
    std::string escape_chars_;
    FeedTimeZone time_zone_;
    FeedRenderSettings feed_;
};

struct NssFormatCompileResult {
    std::optional<NssFormat> format;
    std::string error;  // "unknown field 'foo' at column 12" and the like
};

}  // namespace minewall::weblog
