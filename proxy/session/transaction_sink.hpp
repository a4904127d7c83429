#pragma once
// Where finished transactions go. The session emits exactly one WebRecord per transaction;
// the weblog module implements this to write NSS records. Implementations must not block.
#include "weblog/web_record.hpp"

namespace minewall::weblog {
class WebLog;
}

namespace minewall::proxy {

class TransactionSink {
  public:
    virtual ~TransactionSink() = default;
    virtual void record(weblog::WebRecord&& record) = 0;
};

// Writes a one-line summary of each transaction to the operational log (debug level).
class OperationalLogSink final : public TransactionSink {
  public:
    void record(weblog::WebRecord&& record) override;
};

// The NSS web log (and the debug summary line): never waits on log I/O.
class WebLogTransactionSink final : public TransactionSink {
  public:
    explicit WebLogTransactionSink(weblog::WebLog* web_log) : web_log_(web_log) {}
    void record(weblog::WebRecord&& record) override;

  private:
    OperationalLogSink summary_;
    weblog::WebLog* web_log_;  // null: web log off
};

}  // namespace minewall::proxy
