#include "weblog/nss_format.hpp"

#include <charconv>

#include "weblog/nss_value_encoding.hpp"

namespace minewall::weblog {
namespace {

// Tracks CEF/LEEF headers in the literal text so each field knows whether it sits in a
// header (pipe-separated) or in the extension (key=value) part.
class SyntaxTracker {
  public:
    explicit SyntaxTracker(bool json) : json_(json) {}

    void literal_char(char c, bool escaped) {
        if (json_) return;
        recent_.push_back(c);
        if (recent_.size() > 8) recent_.erase(0, recent_.size() - 8);
        if (!escaped && recent_.ends_with("CEF:")) {
            state_ = State::CefHeader, pipes_ = 0, pipes_needed_ = 7;
            return;
        }
        if (!escaped && recent_.ends_with("LEEF:")) {
            state_ = State::LeefVersion, pipes_ = 0, pipes_needed_ = 5;
            return;
        }
        if (state_ == State::LeefVersion && c == '2' && pipes_ == 0) pipes_needed_ = 6;
        if ((state_ == State::CefHeader || state_ == State::LeefVersion) && c == '|' && !escaped) {
            if (++pipes_ == pipes_needed_) state_ = State::Body;
        }
    }

    ValueContext context() const {
        if (json_) return ValueContext::Json;
        switch (state_) {
            case State::CefHeader:
                return ValueContext::CefHeader;
            case State::LeefVersion:
                return ValueContext::LeefHeader;
            case State::Body:
                return in_cef_body() ? ValueContext::CefExtension : ValueContext::Line;
            case State::None:
                break;
        }
        return ValueContext::Line;
    }

  private:
    enum class State { None, CefHeader, LeefVersion, Body };
    bool in_cef_body() const { return pipes_needed_ == 7; }

    bool json_;
    State state_ = State::None;
    int pipes_ = 0;
    int pipes_needed_ = 0;
    std::string recent_;
};

bool is_name_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

std::string column_text(std::size_t pos) {
    return "column " + std::to_string(pos + 1);
}

bool starts_json(std::string_view format) {
    while (!format.empty() && (format.front() == ' ' || format.front() == '\n' ||
                               format.front() == '\r' || format.front() == '\t')) {
        format.remove_prefix(1);
    }
    return format.starts_with("\\{") || format.starts_with("\\[");
}

void append_padded(std::string& out, std::string_view value, const FormatOp& op, bool numeric) {
    const auto len = static_cast<int>(value.size());
    if (op.width <= len) {
        out.append(value);
        return;
    }
    const auto pad = static_cast<std::size_t>(op.width - len);
    if (op.left_align) {
        out.append(value);
        out.append(pad, ' ');
    } else {
        out.append(pad, numeric && op.zero_pad ? '0' : ' ');
        out.append(value);
    }
}

}  // namespace

NssFormatCompileResult NssFormat::compile(std::string_view f, NssFormatOptions options) {
    NssFormat format;
    format.json_ =
        options.json == JsonMode::Always || (options.json == JsonMode::Auto && starts_json(f));
    format.escape_chars_ = options.escape_chars;
    format.time_zone_ = options.time_zone;
    format.feed_.time_zone_name = options.time_zone.name();
    format.feed_.product_version = options.product_version;
    format.feed_.service_ip = options.service_ip;

    SyntaxTracker syntax(format.json_);
    std::string literal;
    auto flush_literal = [&] {
        if (literal.empty()) return;
        FormatOp op;
        op.literal = std::move(literal);
        format.ops_.push_back(std::move(op));
        literal.clear();
    };
    auto fail = [](std::string message) { return NssFormatCompileResult{std::nullopt, message}; };

    std::size_t pos = 0;
    while (pos < f.size()) {
        const char c = f[pos];
        if (c == '\n' || c == '\r') {  // line breaks typed for readability are not output
            ++pos;
            continue;
        }
        if (c == '\\') {
            if (pos + 1 >= f.size()) return fail("dangling '\\' at " + column_text(pos));
            const char e = f[pos + 1];
            const char out = e == 't' ? '\t' : e == 'n' ? '\n' : e == 'r' ? '\r' : e;
            literal.push_back(out);
            syntax.literal_char(out, true);
            pos += 2;
            continue;
        }
        if (c != '%') {
            literal.push_back(c);
            syntax.literal_char(c, false);
            ++pos;
            continue;
        }
        if (pos + 1 < f.size() && f[pos + 1] == '%') {
            literal.push_back('%');
            syntax.literal_char('%', false);
            pos += 2;
            continue;
        }
        // %[-0][width][l|ll|h]conv{name}
        const std::size_t start = pos;
        FormatOp op;
        op.is_field = true;
        ++pos;
        while (pos < f.size() && (f[pos] == '-' || f[pos] == '0')) {
            (f[pos] == '-' ? op.left_align : op.zero_pad) = true;
            ++pos;
        }
        while (pos < f.size() && f[pos] >= '0' && f[pos] <= '9') {
            op.width = op.width * 10 + (f[pos] - '0');
            if (op.width > 256) return fail("field width too large at " + column_text(start));
            ++pos;
        }
        while (pos < f.size() && (f[pos] == 'l' || f[pos] == 'h'))
            ++pos;
        if (pos >= f.size() || (f[pos] != 's' && f[pos] != 'd' && f[pos] != 'x' && f[pos] != 'u')) {
            return fail("bad conversion '%" + std::string(f.substr(start + 1, pos - start)) +
                        "' at " + column_text(start) + " (expected %s, %d, %x or %u)");
        }
        op.conversion = f[pos] == 'u' ? 'd' : f[pos];
        ++pos;
        if (pos >= f.size() || f[pos] != '{') {
            return fail("missing '{field}' after '%" +
                        std::string(f.substr(start + 1, pos - start - 1)) + "' at " +
                        column_text(start));
        }
        const std::size_t name_start = ++pos;
        while (pos < f.size() && is_name_char(f[pos]))
            ++pos;
        if (pos >= f.size() || f[pos] != '}') {
            return fail("unterminated field name at " + column_text(start));
        }
        const std::string_view name = f.substr(name_start, pos - name_start);
        ++pos;
        op.field = find_nss_field(name);
        if (op.field == nullptr) {
            return fail("unknown field '" + std::string(name) + "' at " + column_text(start));
        }
        if (op.conversion != 's' && op.field->kind == FieldKind::Text) {
            return fail("field '" + std::string(name) + "' is text: use %s{" + std::string(name) +
                        "} (at " + column_text(start) + ")");
        }
        if (op.field->name == "eedone") format.uses_eedone_ = true;
        op.context = syntax.context();
        flush_literal();
        format.ops_.push_back(std::move(op));
    }
    flush_literal();

    // One record per line: a trailing \n (several published formats end with one) is
    // dropped since render() ends every record; a line break anywhere else would split it.
    if (!format.ops_.empty() && !format.ops_.back().is_field) {
        std::string& tail = format.ops_.back().literal;
        while (!tail.empty() && (tail.back() == '\n' || tail.back() == '\r'))
            tail.pop_back();
        if (tail.empty()) format.ops_.pop_back();
    }
    for (const FormatOp& op : format.ops_) {
        if (!op.is_field && op.literal.find_first_of("\r\n") != std::string::npos) {
            return fail(
                "\\n or \\r is only allowed at the end of the format (one record per "
                "line)");
        }
    }
    if (format.ops_.empty()) return fail("the format is empty");
    return NssFormatCompileResult{std::move(format), {}};
}

void NssFormat::render(const WebRecord& record, std::string& out) const {
    const CivilTime time = time_zone_.civil(record.start_time);
    RenderInput in{record, time, feed_, false};
    if (uses_eedone_ && !escape_chars_.empty()) {
        for (const std::string* v : {&record.url, &record.host, &record.referer, &record.sni}) {
            if (v->find_first_of(escape_chars_) != std::string::npos) {
                in.escape_chars_encoded = true;
                break;
            }
        }
    }
    std::string scratch;
    std::string encoded;
    std::string piece;
    for (const FormatOp& op : ops_) {
        if (op.is_field) {
            render_field(op, in, out, scratch, encoded, piece);
        } else {
            out.append(op.literal);
        }
    }
    out.push_back('\n');
}

std::string NssFormat::render(const WebRecord& record) const {
    std::string out;
    out.reserve(1024);
    render(record, out);
    return out;
}

void NssFormat::render_field(const FormatOp& op, const RenderInput& in, std::string& out,
                             std::string& scratch, std::string& encoded, std::string& piece) const {
    const FieldDef& field = *op.field;
    if (field.kind == FieldKind::Number) {
        char buf[32];
        const std::uint64_t value = field.number(in);
        const auto res =
            std::to_chars(buf, buf + sizeof buf, value, op.conversion == 'x' ? 16 : 10);
        append_padded(out, std::string_view(buf, static_cast<std::size_t>(res.ptr - buf)), op,
                      true);
        return;
    }
    scratch.clear();
    const std::string_view raw = field.text(in, scratch);
    std::string_view value = field.unknown;
    if (!raw.empty()) {
        encoded.clear();
        switch (field.encoding) {
            case FieldEncoding::Raw:
                value = raw;
                break;
            case FieldEncoding::UrlHex:
                append_url_hex(encoded, raw, escape_chars_);
                value = encoded;
                break;
            case FieldEncoding::Percent:
                append_percent_encoded(encoded, raw);
                value = encoded;
                break;
            case FieldEncoding::Base64:
                append_base64(encoded, raw);
                value = encoded;
                break;
            case FieldEncoding::Obfuscated:
                encoded = std::to_string(obfuscated_number(raw));
                value = encoded;
                break;
        }
    }
    std::string& target = op.width > 0 ? piece : out;
    if (op.width > 0) piece.clear();
    switch (op.context) {
        case ValueContext::Json:
            append_json_escaped(target, value);
            break;
        case ValueContext::CefHeader:
            append_cef_header_escaped(target, value);
            break;
        case ValueContext::CefExtension:
            append_cef_extension_escaped(target, value);
            break;
        case ValueContext::LeefHeader:
            append_leef_header_escaped(target, value);
            break;
        case ValueContext::Line:
            append_line_safe(target, value);
            break;
    }
    if (op.width > 0) append_padded(out, piece, op, false);
}

std::vector<std::string> NssFormat::field_names() const {
    std::vector<std::string> names;
    for (const FormatOp& op : ops_) {
        if (op.is_field) names.emplace_back(op.field->name);
    }
    return names;
}

}  // namespace minewall::weblog
