#pragma once
// What the network sinks (StreamSink, HttpBatchSink) are as RecordSinks: write() only queues;
// delivery runs on the sink's DeliveryLoop thread (weblog/delivery_loop.hpp), which each
// sink's open() starts with its own protocol.
#include <memory>
#include <string>
#include <vector>

#include "weblog/record_sink.hpp"

namespace minewall::weblog {

class DeliveryLoop;

class NetworkSink : public RecordSink {
  public:
    ~NetworkSink() override;  // close()

    void write(std::vector<std::string>& lines) override;
    void close() override;
    bool idle() const override;
    SinkStats stats() const override;

  protected:
    explicit NetworkSink(std::unique_ptr<DeliveryLoop> loop);

  private:
    std::unique_ptr<DeliveryLoop> loop_;
};

}  // namespace minewall::weblog
