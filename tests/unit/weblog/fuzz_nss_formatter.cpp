// libFuzzer target: arbitrary bytes become the text fields of a WebRecord (separated by 0x1F)
// and, separately, a custom format string. Every JSON preset must render one line that
// nlohmann parses; every other preset one line without CR; any format either fails to
// compile with a message or renders exactly one line.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "weblog/nss_format.hpp"
#include "weblog/nss_presets.hpp"

using namespace minewall::weblog;

namespace {

struct Compiled {
    std::vector<std::pair<NssFormat, bool>> presets;  // format, is JSON
    Compiled() {
        for (const NssPreset& p : nss_presets()) {
            presets.emplace_back(*NssFormat::compile(p.format).format, p.json);
        }
    }
};

WebRecord record_from(std::string_view data) {
    WebRecord r;
    std::string* fields[] = {&r.user_agent,   &r.login,           &r.url,
                             &r.host,         &r.referer,         &r.reason,
                             &r.threat_name,  &r.department,      &r.location,
                             &r.device_owner, &r.device_hostname, &r.url_category,
                             &r.content_type, &r.method,          &r.protocol,
                             &r.sni,          &r.client_ip,       &r.server_ip,
                             &r.rule_label};
    if (!data.empty()) {
        const auto flags = static_cast<unsigned char>(data.front());
        r.blocked = flags & 1;
        r.ssl_decrypted = flags & 2;
        r.status = flags * 3;
        r.risk_score = flags % 101;
        r.record_id = flags * 0x0101010101ull;
        data.remove_prefix(1);
    }
    for (std::string* field : fields) {
        const std::size_t sep = data.find('\x1f');
        *field = std::string(data.substr(0, sep));
        if (sep == std::string_view::npos) break;
        data.remove_prefix(sep + 1);
    }
    return r;
}

void require_one_line(const std::string& line) {
    if (line.empty() || line.back() != '\n' || line.find('\n') != line.size() - 1) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
    static const Compiled compiled;
    const std::string_view data(reinterpret_cast<const char*>(bytes), size);
    const WebRecord record = record_from(data);
    for (const auto& [format, json] : compiled.presets) {
        const std::string line = format.render(record);
        require_one_line(line);
        if (json) {
            if (!nlohmann::json::accept(line)) std::abort();  // nlohmann's parser, no DOM
        } else if (line.find('\r') != std::string::npos) {
            std::abort();
        }
    }
    // The same bytes as a custom format: a clear error or one rendered line.
    const auto custom = NssFormat::compile(data);
    if (custom.format) {
        require_one_line(custom.format->render(record));
    } else if (custom.error.empty()) {
        std::abort();
    }
    return 0;
}
