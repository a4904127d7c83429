#pragma once
// Shell-style wildcard match ('*' any run, '?' one byte), case-insensitive by default the way
// Splunk compares field values (threatname=*miner*).
#include <string_view>

namespace minewall::weblog {

bool glob_matches(std::string_view pattern, std::string_view text, bool ignore_case = true);

}  // namespace minewall::weblog
