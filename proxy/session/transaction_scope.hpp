#pragma once
// Emits exactly one WebRecord per transaction: when the scope ends, whichever way it ends
// (response sent, error, cancellation of the session coroutine).
#include <chrono>

#include "proxy/session/client_connection.hpp"
#include "weblog/web_record.hpp"

namespace minewall::proxy {

class ProxyState;

class TransactionScope {
  public:
    TransactionScope(ClientConnection& client, ProxyState& state);
    TransactionScope(const TransactionScope&) = delete;
    TransactionScope& operator=(const TransactionScope&) = delete;
    ~TransactionScope();

    weblog::WebRecord& record() { return record_; }
    std::string transaction_id() const;

  private:
    ProxyState& state_;
    weblog::WebRecord record_;
    std::chrono::steady_clock::time_point started_;
};

// The TLS facts of a bumped client connection (SNI, versions, ALPN) into a record.
void record_tls_session(const ClientConnection& client, weblog::WebRecord& record);

}  // namespace minewall::proxy
