#pragma once
// The NSS web-log field catalog: every token of Zscaler's "NSS Feed Output Format: Web Logs"
// page (plus the legacy tokens published templates still use: yy, ctime, stime, module, and
// the e…/b64…/o… derived families), each mapped to the WebRecord data minewall has, or to the
// value NSS prints when it does not know (None, NA, N/A, UNKNOWN, 0, 0.0.0.0).
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "weblog/feed_time_zone.hpp"
#include "weblog/web_record.hpp"

namespace minewall::weblog {

// Feed-level values some tokens print (%s{tz}, %s{productversion}, %s{nsssvcip}).
struct FeedRenderSettings {
    std::string time_zone_name = "GMT";
    std::string product_version;  // empty = None
    std::string service_ip;       // empty = 0.0.0.0
};

// Everything a field getter may read while one record is rendered.
struct RenderInput {
    const WebRecord& record;
    const CivilTime& time;
    const FeedRenderSettings& feed;
    bool escape_chars_encoded = false;  // %s{eedone}
};

enum class FieldKind : std::uint8_t { Text, Number };

// How a text value is transformed before output escaping.
enum class FieldEncoding : std::uint8_t {
    Raw,         // as is
    UrlHex,      // URL-type fields: bytes <= 0x20 or >= 0x7F as %HH, plus feed escape chars
    Percent,     // e… fields of non-URL values: everything but unreserved as %HH
    Base64,      // b64… fields
    Obfuscated,  // o… fields: a stable number instead of the value
};

using TextGetter = std::string_view (*)(const RenderInput&, std::string& scratch);
using NumberGetter = std::uint64_t (*)(const RenderInput&);

struct FieldDef {
    std::string_view name;
    FieldKind kind = FieldKind::Text;
    TextGetter text = nullptr;      // Text fields: empty result = unknown
    NumberGetter number = nullptr;  // Number fields (unknown = 0)
    std::string_view unknown;       // printed for an empty text value
    FieldEncoding encoding = FieldEncoding::Raw;
    bool known = false;  // false: minewall never has this value (always `unknown`)
};

// nullptr when `name` is not an NSS web token.
const FieldDef* find_nss_field(std::string_view name);

// All tokens, in catalog order.
std::span<const FieldDef> nss_fields();

// threatseverity bucket for a page risk score (Critical 90–100 … None 0).
std::string_view threat_severity(int risk_score);

}  // namespace minewall::weblog
