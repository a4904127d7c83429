#pragma once
// The Via header minewall adds, and the loop check that uses it: a request that already
// carries our own pseudonym has come round through us again.
#include <string>
#include <string_view>

namespace minewall::proxy {

// "1.1 minewall-<instance>" (HTTP/1.0 requests get "1.0 ...").
std::string via_entry(unsigned http_version, std::string_view pseudonym);

// Appends our entry to an existing Via value (comma-separated list).
std::string append_via(std::string_view existing, unsigned http_version,
                       std::string_view pseudonym);

// True when any entry of the Via value names our pseudonym.
bool via_contains_pseudonym(std::string_view via, std::string_view pseudonym);

}  // namespace minewall::proxy
