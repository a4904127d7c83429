#include "identity/client_identity_map.hpp"

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <utility>

#include "config/cidr.hpp"
#include "text/ascii_text.hpp"
#include "text/read_file.hpp"

namespace minewall::identity {

namespace {

using text::is_control;
using text::is_space;
using text::trim;

std::string error_at(const std::string& name, std::size_t line, std::string_view message) {
    std::ostringstream out;
    out << name << ':' << line << ": " << message;
    return out.str();
}

// Quotes a value from the file for an error message, cut short so a hostile line cannot flood
// the log.
std::string excerpt(std::string_view value) {
    constexpr std::size_t kMax = 64;
    std::string out = "'";
    for (char c : value.substr(0, kMax))
        out.push_back(is_control(c) ? '?' : c);
    if (value.size() > kMax) out += "...";
    out += "'";
    return out;
}

struct CsvFields {
    std::vector<std::string> fields;
    std::string error;  // empty when the line parsed
};

// One CSV record on one line (RFC 4180 quoting). Spaces around a field are not part of it.
CsvFields split_csv_line(std::string_view line) {
    CsvFields out;
    std::size_t pos = 0;
    while (true) {
        while (pos < line.size() && is_space(line[pos]))
            ++pos;
        std::string field;
        if (pos < line.size() && line[pos] == '"') {
            ++pos;
            bool closed = false;
            while (pos < line.size()) {
                char c = line[pos++];
                if (c != '"') {
                    field.push_back(c);
                } else if (pos < line.size() && line[pos] == '"') {
                    field.push_back('"');
                    ++pos;
                } else {
                    closed = true;
                    break;
                }
            }
            if (!closed) {
                out.error = "unterminated quoted field (a field may not span lines)";
                return out;
            }
            while (pos < line.size() && is_space(line[pos]))
                ++pos;
            if (pos < line.size() && line[pos] != ',') {
                out.error = "unexpected text after a closing quote";
                return out;
            }
        } else {
            auto end = std::min(line.find(',', pos), line.size());
            auto raw = trim(line.substr(pos, end - pos));
            if (raw.find('"') != std::string_view::npos) {
                out.error =
                    "quote inside an unquoted field (quote the whole field and double "
                    "the quote)";
                return out;
            }
            field = std::string(raw);
            pos = end;
        }
        out.fields.push_back(std::move(field));
        if (pos >= line.size()) break;
        ++pos;  // the comma; a trailing comma yields a last empty field
    }
    return out;
}

enum class Column { cidr, user, department, device_owner, device_hostname, location, unknown };

Column column_named(std::string_view name) {
    std::string lower(name);
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; });
    if (lower == "cidr") return Column::cidr;
    if (lower == "user") return Column::user;
    if (lower == "department") return Column::department;
    if (lower == "device_owner") return Column::device_owner;
    if (lower == "device_hostname") return Column::device_hostname;
    if (lower == "location") return Column::location;
    return Column::unknown;
}

std::string* identity_field(ClientIdentity& identity, Column column) {
    switch (column) {
        case Column::user:
            return &identity.user;
        case Column::department:
            return &identity.department;
        case Column::device_owner:
            return &identity.device_owner;
        case Column::device_hostname:
            return &identity.device_hostname;
        case Column::location:
            return &identity.location;
        case Column::cidr:
        case Column::unknown:
            break;
    }
    return nullptr;
}

// Prefix length over the 128-bit mapped form, read from text config::Cidr already accepted.
unsigned mapped_prefix_bits(std::string_view cidr_text) {
    auto slash = cidr_text.find('/');
    const bool is_v4 = cidr_text.substr(0, slash).find(':') == std::string_view::npos;
    unsigned bits = is_v4 ? 32 : 128;
    if (slash != std::string_view::npos) {
        auto digits = cidr_text.substr(slash + 1);
        std::from_chars(digits.data(), digits.data() + digits.size(), bits);
    }
    return is_v4 ? bits + 96 : bits;
}

config::Ip6Bytes masked(config::Ip6Bytes address, unsigned prefix_bits) {
    for (unsigned i = prefix_bits; i < 128; ++i)
        address[i / 8] &= static_cast<std::uint8_t>(~(0x80u >> (i % 8)));
    return address;
}

}  // namespace

ClientIdentityMap::LoadResult ClientIdentityMap::load_text(std::string_view text,
                                                           const std::string& name) {
    LoadResult result;
    auto map = std::make_shared<ClientIdentityMap>();
    if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);  // BOM from spreadsheets

    std::vector<Column> columns;
    std::map<std::pair<unsigned, Address>, std::size_t> first_line;
    std::size_t line_number = 0;
    while (!text.empty()) {
        ++line_number;
        auto newline = text.find('\n');
        auto line = text.substr(0, newline);
        text.remove_prefix(newline == std::string_view::npos ? text.size() : newline + 1);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (trim(line).empty() || trim(line).front() == '#') continue;

        auto parsed = split_csv_line(line);
        if (!parsed.error.empty()) {
            result.errors.push_back(error_at(name, line_number, parsed.error));
            if (columns.empty()) return result;  // no usable header
            continue;
        }

        if (columns.empty()) {  // the header row
            bool usable = true;
            for (const auto& field : parsed.fields) {
                Column column = column_named(field);
                if (column != Column::unknown &&
                    std::find(columns.begin(), columns.end(), column) != columns.end()) {
                    result.errors.push_back(
                        error_at(name, line_number, "duplicate column " + excerpt(field)));
                    usable = false;
                }
                if (column == Column::unknown)
                    result.errors.push_back(
                        error_at(name, line_number,
                                 "unknown column " + excerpt(field) +
                                     " ignored (known: cidr, user, department, device_owner, "
                                     "device_hostname, location)"));
                columns.push_back(column);
            }
            if (std::find(columns.begin(), columns.end(), Column::cidr) == columns.end()) {
                result.errors.push_back(
                    error_at(name, line_number, "header row has no 'cidr' column"));
                usable = false;
            }
            if (!usable) return result;
            continue;
        }

        if (parsed.fields.size() != columns.size()) {
            result.errors.push_back(error_at(name, line_number,
                                             "expected " + std::to_string(columns.size()) +
                                                 " fields, found " +
                                                 std::to_string(parsed.fields.size())));
            continue;
        }
        ClientIdentity identity;
        std::string cidr_text;
        std::string problem;
        for (std::size_t i = 0; i < columns.size(); ++i) {
            const std::string& value = parsed.fields[i];
            if (std::any_of(value.begin(), value.end(), is_control)) {
                problem = "field " + std::to_string(i + 1) + " contains control characters";
                break;
            }
            if (columns[i] == Column::cidr) cidr_text = value;
            if (auto* target = identity_field(identity, columns[i])) *target = value;
        }
        if (!problem.empty()) {
            result.errors.push_back(error_at(name, line_number, problem));
            continue;
        }

        auto cidr = config::Cidr::parse(cidr_text);
        auto address = config::parse_ip(cidr_text.substr(0, cidr_text.find('/')));
        if (!cidr || !address) {
            result.errors.push_back(
                error_at(name, line_number, "invalid address or network " + excerpt(cidr_text)));
            continue;
        }
        const unsigned prefix = mapped_prefix_bits(cidr_text);
        const Address network = masked(*address, prefix);
        // "10.1.2.3/16" is almost always a typo for a host or for 10.1.0.0/16: ask, not guess.
        if (network != *address) {
            result.errors.push_back(error_at(
                name, line_number,
                "address " + excerpt(cidr_text) + " has bits set beyond its prefix length"));
            continue;
        }
        auto key = std::make_pair(prefix, network);
        if (auto it = first_line.find(key); it != first_line.end()) {
            result.errors.push_back(
                error_at(name, line_number,
                         "duplicate network " + excerpt(cidr_text) + " (first defined on line " +
                             std::to_string(it->second) + "); this line is ignored"));
            continue;
        }
        first_line.emplace(key, line_number);
        map->by_prefix_[prefix].emplace(network, std::move(identity));
        ++map->entry_count_;
    }
    if (columns.empty()) {
        result.errors.push_back(error_at(name, line_number == 0 ? 1 : line_number,
                                         "missing header row (cidr,user,department,"
                                         "device_owner,device_hostname,location)"));
        return result;
    }
    result.map = std::move(map);
    return result;
}

ClientIdentityMap::LoadResult ClientIdentityMap::load_file(const std::string& path) {
    auto file = text::read_file(path);
    if (!file.content) {
        LoadResult result;
        result.errors.push_back(path + ": cannot read the client identity file: " + file.error);
        return result;
    }
    return load_text(*file.content, path);
}

std::optional<ClientIdentity> ClientIdentityMap::lookup(std::string_view client_ip) const {
    auto address = config::parse_ip(client_ip);
    if (!address) return std::nullopt;
    for (const auto& [prefix, networks] : by_prefix_) {
        auto it = networks.find(masked(*address, prefix));
        if (it != networks.end()) return it->second;
    }
    return std::nullopt;
}

}  // namespace minewall::identity
