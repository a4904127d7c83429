#include <spdlog/spdlog.h>

#include "proxy/session/transaction_sink.hpp"
#include "weblog/web_log.hpp"

namespace minewall::proxy {

void OperationalLogSink::record(weblog::WebRecord&& r) {
    spdlog::debug("txn {} {}:{} {} {} {} -> {} {}B/{}B {}{}", r.record_id, r.client_ip,
                  r.client_port, r.protocol, r.method, r.url, r.status, r.request_body_bytes,
                  r.response_body_bytes, r.blocked ? "Blocked" : "Allowed",
                  r.error.empty() ? "" : " error=" + r.error);
}

void WebLogTransactionSink::record(weblog::WebRecord&& record) {
    if (spdlog::should_log(spdlog::level::debug)) summary_.record(weblog::WebRecord(record));
    if (web_log_) web_log_->emit(std::move(record));
}

}  // namespace minewall::proxy
