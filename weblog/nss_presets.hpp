#pragma once
// Named feed formats, each the published NSS template of one SIEM integration, field for field
// (sources: /work/shared/reference/nss-web/formats/, see tests for the comparison).
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace minewall::weblog {

struct NssPreset {
    std::string_view name;
    std::string_view description;
    std::string_view format;  // NSS feed output format string
    bool json = false;        // values are JSON-escaped
};

// splunk, splunk-hec, sentinel-cef, sentinel-cloudnss, qradar-leef, elastic, json.
std::span<const NssPreset> nss_presets();
const NssPreset* find_preset(std::string_view name);
std::optional<std::string> preset_format(std::string_view name);
std::span<const std::string_view> preset_names();

}  // namespace minewall::weblog
