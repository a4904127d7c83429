#include "weblog/nss_line_parser.hpp"

#include <charconv>
#include <nlohmann/json.hpp>

#include "text/ascii_text.hpp"

namespace minewall::weblog {
namespace {

LineParseResult parse_json(std::string_view line) {
    LineParseResult result;
    // ordered_json keeps the line's key order.
    const nlohmann::ordered_json doc = nlohmann::ordered_json::parse(line, nullptr, false);
    if (doc.is_discarded()) {
        result.error = "not valid JSON";
        return result;
    }
    auto one = [&](const nlohmann::ordered_json& obj) {
        ParsedLogRecord rec;
        rec.syntax = LogSyntax::Json;
        const nlohmann::ordered_json* event = nullptr;
        for (const auto& [key, value] : obj.items()) {
            if (key == "event" && value.is_object()) {
                event = &value;
                continue;
            }
            if (!value.is_object() && !value.is_array()) {
                rec.fields.emplace_back(
                    key, value.is_string() ? value.get<std::string>() : value.dump());
            }
        }
        if (event != nullptr) {
            for (const auto& [key, value] : event->items()) {
                rec.fields.emplace_back(key, value.is_string() ? value.get<std::string>()
                                             : value.is_null() ? std::string{}
                                                               : value.dump());
            }
        }
        result.records.push_back(std::move(rec));
    };
    if (doc.is_object()) {
        one(doc);
    } else if (doc.is_array()) {
        for (const auto& item : doc) {
            if (item.is_object()) one(item);
        }
    } else {
        result.error = "JSON line is neither an object nor an array";
    }
    return result;
}

std::string strip_quotes(std::string_view v) {
    if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
    return std::string(v);
}

LineParseResult parse_splunk_kv(std::string_view line) {
    LineParseResult result;
    ParsedLogRecord rec;
    rec.syntax = LogSyntax::SplunkKv;
    std::size_t pos = 0;
    bool first = true;
    while (pos <= line.size()) {
        std::size_t tab = line.find('\t', pos);
        if (tab == std::string_view::npos) tab = line.size();
        const std::string_view pair = line.substr(pos, tab - pos);
        const std::size_t eq = pair.find('=');
        if (eq == std::string_view::npos || eq == 0) {
            if (first && !pair.empty()) {
                rec.fields.emplace_back("datetime", std::string(pair));  // leading timestamp
            } else if (!pair.empty()) {
                result.error = "field without '=' in a tab key=value line";
                return result;
            }
        } else {
            rec.fields.emplace_back(std::string(pair.substr(0, eq)),
                                    strip_quotes(pair.substr(eq + 1)));
        }
        first = false;
        pos = tab + 1;
    }
    if (rec.fields.size() < 2) {
        result.error = "no tab-separated key=value pairs";
        return result;
    }
    result.records.push_back(std::move(rec));
    return result;
}

// Splits a pipe-separated header with \| and \\ escapes; returns the position after the
// last consumed pipe, or npos if fewer than `count` fields were found.
std::size_t split_header(std::string_view s, std::size_t count, std::vector<std::string>& out) {
    std::string cur;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        if (c == '\\' && i + 1 < s.size() && (s[i + 1] == '|' || s[i + 1] == '\\')) {
            cur.push_back(s[++i]);
        } else if (c == '|') {
            out.push_back(std::move(cur));
            cur.clear();
            if (out.size() == count) return i + 1;
        } else {
            cur.push_back(c);
        }
    }
    return std::string_view::npos;
}

bool is_cef_key_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == '-' || c == '[' || c == ']';
}

std::string cef_unescape(std::string_view v) {
    std::string out;
    out.reserve(v.size());
    for (std::size_t i = 0; i < v.size(); ++i) {
        if (v[i] == '\\' && i + 1 < v.size()) {
            const char n = v[i + 1];
            if (n == '=' || n == '\\') {
                out.push_back(n), ++i;
                continue;
            }
            if (n == 'n' || n == 'r') {
                out.push_back(n == 'n' ? '\n' : '\r'), ++i;
                continue;
            }
        }
        out.push_back(v[i]);
    }
    return out;
}

// "k1=v 1 k2=v2": a key starts after a space and runs to an unescaped '='.
void parse_cef_extension(std::string_view ext, ParsedLogRecord& rec) {
    auto key_at = [&](std::size_t start) -> std::size_t {  // index of '=' or npos
        std::size_t j = start;
        while (j < ext.size() && is_cef_key_char(ext[j]))
            ++j;
        if (j > start && j < ext.size() && ext[j] == '=') return j;
        return std::string_view::npos;
    };
    std::size_t pos = 0;
    while (pos < ext.size() && ext[pos] == ' ')
        ++pos;
    std::size_t eq = key_at(pos);
    while (eq != std::string_view::npos) {
        const std::string key(ext.substr(pos, eq - pos));
        std::size_t value_start = eq + 1;
        std::size_t scan = value_start;
        std::size_t next_key = std::string_view::npos;
        std::size_t next_eq = std::string_view::npos;
        while (scan < ext.size()) {
            if (ext[scan] == '\\') {
                scan += 2;
                continue;
            }
            if (ext[scan] == ' ') {
                const std::size_t e = key_at(scan + 1);
                if (e != std::string_view::npos) {
                    next_key = scan + 1;
                    next_eq = e;
                    break;
                }
            }
            ++scan;
        }
        const std::size_t value_end =
            next_key == std::string_view::npos ? ext.size() : next_key - 1;
        rec.fields.emplace_back(key,
                                cef_unescape(ext.substr(value_start, value_end - value_start)));
        pos = next_key;
        eq = next_eq;
    }
}

LineParseResult parse_cef(std::string_view line) {
    LineParseResult result;
    const std::size_t at = line.find("CEF:");
    if (at == std::string_view::npos) {
        result.error = "no CEF: header";
        return result;
    }
    ParsedLogRecord rec;
    rec.syntax = LogSyntax::Cef;
    if (at > 0)
        rec.fields.emplace_back("SyslogHeader", std::string(text::trim(line.substr(0, at))));
    std::vector<std::string> header;
    const std::size_t body = split_header(line.substr(at + 4), 7, header);
    if (body == std::string_view::npos) {
        result.error = "CEF header has fewer than 7 fields";
        return result;
    }
    static constexpr std::string_view kNames[] = {
        "CEFVersion",         "DeviceVendor", "DeviceProduct", "DeviceVersion",
        "DeviceEventClassID", "Activity",     "LogSeverity"};
    for (std::size_t i = 0; i < 7; ++i)
        rec.fields.emplace_back(std::string(kNames[i]), header[i]);
    parse_cef_extension(line.substr(at + 4 + body), rec);
    result.records.push_back(std::move(rec));
    return result;
}

LineParseResult parse_leef(std::string_view line) {
    LineParseResult result;
    const std::size_t at = line.find("LEEF:");
    if (at == std::string_view::npos) {
        result.error = "no LEEF: header";
        return result;
    }
    ParsedLogRecord rec;
    rec.syntax = LogSyntax::Leef;
    if (at > 0)
        rec.fields.emplace_back("SyslogHeader", std::string(text::trim(line.substr(0, at))));
    const std::string_view rest = line.substr(at + 5);
    const bool v2 = rest.starts_with("2");
    std::vector<std::string> header;
    const std::size_t body = split_header(rest, v2 ? 6 : 5, header);
    if (body == std::string_view::npos) {
        result.error = "LEEF header has too few fields";
        return result;
    }
    static constexpr std::string_view kNames[] = {"LEEFVersion",   "DeviceVendor", "DeviceProduct",
                                                  "DeviceVersion", "EventID",      "Delimiter"};
    for (std::size_t i = 0; i < header.size(); ++i) {
        rec.fields.emplace_back(std::string(kNames[i]), header[i]);
    }
    char delim = '\t';
    if (v2 && !header[5].empty()) {
        // LEEF 2.0 names its delimiter as one character or as hex ("x09", "0x09").
        const std::string& d = header[5];
        delim = d[0];
        const std::size_t x = d.find_first_of("xX");
        if (d.size() > 1 && x != std::string::npos && x <= 1) {
            unsigned value = 0;
            const auto res = std::from_chars(d.data() + x + 1, d.data() + d.size(), value, 16);
            if (res.ec == std::errc() && value > 0 && value < 128) delim = static_cast<char>(value);
        }
    }
    std::string_view attrs = rest.substr(body);
    while (!attrs.empty()) {
        std::size_t end = attrs.find(delim);
        if (end == std::string_view::npos) end = attrs.size();
        const std::string_view pair = attrs.substr(0, end);
        const std::size_t eq = pair.find('=');
        if (eq != std::string_view::npos && eq > 0) {
            rec.fields.emplace_back(std::string(pair.substr(0, eq)),
                                    std::string(pair.substr(eq + 1)));
        }
        attrs.remove_prefix(end == attrs.size() ? end : end + 1);
    }
    result.records.push_back(std::move(rec));
    return result;
}

}  // namespace

const std::string* ParsedLogRecord::find(std::string_view key) const {
    for (const auto& [k, v] : fields) {
        if (k == key) return &v;
    }
    return nullptr;
}

std::string ParsedLogRecord::value_or(std::string_view key, std::string_view fallback) const {
    const std::string* v = find(key);
    return v ? *v : std::string(fallback);
}

LineParseResult parse_nss_line(std::string_view line, LogSyntax syntax) {
    line = text::trim(line);
    if (line.empty()) return LineParseResult{{}, "empty line"};
    if (syntax == LogSyntax::Auto) {
        if (line.front() == '{' || line.front() == '[') {
            syntax = LogSyntax::Json;
        } else if (line.find("CEF:") != std::string_view::npos) {
            syntax = LogSyntax::Cef;
        } else if (line.find("LEEF:") != std::string_view::npos) {
            syntax = LogSyntax::Leef;
        } else if (line.find('\t') != std::string_view::npos) {
            syntax = LogSyntax::SplunkKv;
        } else {
            return LineParseResult{{}, "unrecognised line (not JSON, CEF, LEEF or tab key=value)"};
        }
    }
    switch (syntax) {
        case LogSyntax::Json:
            return parse_json(line);
        case LogSyntax::Cef:
            return parse_cef(line);
        case LogSyntax::Leef:
            return parse_leef(line);
        case LogSyntax::SplunkKv:
            return parse_splunk_kv(line);
        case LogSyntax::Auto:
            break;
    }
    return LineParseResult{{}, "unrecognised line"};
}

std::optional<LogSyntax> log_syntax_for_preset(std::string_view preset) {
    if (preset == "splunk") return LogSyntax::SplunkKv;
    if (preset == "splunk-hec" || preset == "json" || preset == "sentinel-cloudnss" ||
        preset == "elastic") {
        return LogSyntax::Json;
    }
    if (preset == "sentinel-cef") return LogSyntax::Cef;
    if (preset == "qradar-leef") return LogSyntax::Leef;
    return std::nullopt;
}

}  // namespace minewall::weblog
