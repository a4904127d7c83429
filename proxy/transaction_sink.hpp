#pragma once
// Where finished transactions go. The session emits exactly one WebRecord per transaction;
// the weblog module implements this to write NSS records. Implementations must not block.
#include "weblog/web_record.hpp"

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

}  // namespace minewall::proxy
