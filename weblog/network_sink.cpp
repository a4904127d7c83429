#include "weblog/network_sink.hpp"

#include "weblog/delivery_loop.hpp"

namespace minewall::weblog {

NetworkSink::NetworkSink(std::unique_ptr<DeliveryLoop> loop) : loop_(std::move(loop)) {}

NetworkSink::~NetworkSink() {
    close();
}

void NetworkSink::write(std::vector<std::string>& lines) {
    loop_->push(lines);
}

void NetworkSink::close() {
    loop_->stop();
}

bool NetworkSink::idle() const {
    return loop_->idle();
}

SinkStats NetworkSink::stats() const {
    return loop_->stats();
}

}  // namespace minewall::weblog
