#pragma once
// What a client gets when the policy blocks its request: an HTML page for browsers (what was
// blocked, why, the threat, a transaction id, the time; no external assets), JSON for API
// clients, plain text otherwise. And how a verdict is written into the transaction record.
#include <chrono>
#include <string>
#include <string_view>

#include "policy/request_facts.hpp"
#include "policy/verdict.hpp"
#include "proxy/http/error_page.hpp"
#include "weblog/web_record.hpp"

namespace minewall::proxy {

struct BlockDetails {
    std::string url;  // what was asked for (URL without scheme, or host:port)
    std::string transaction_id;
    std::chrono::system_clock::time_point time;
};

GeneratedResponse render_block_response(const policy::Verdict& verdict, const BlockDetails& details,
                                        std::string_view accept_header);

// Copies the verdict's NSS fields into the record (action, reason, categories, threat, rule).
void apply_verdict(const policy::Verdict& verdict, weblog::WebRecord& record);

// What the policy is told about a transaction, from what its record knows so far: the client
// it is attributed to, the user, host, port, method and User-Agent; url with its scheme.
policy::RequestFacts facts_from_record(policy::Stage stage, const weblog::WebRecord& record,
                                       std::string url);

}  // namespace minewall::proxy
