#pragma once
// Opens the sink a feed's destination names (file, TCP/TLS stream, HTTP batch POST).
#include <memory>
#include <string>

#include "weblog/feed_options.hpp"
#include "weblog/record_sink.hpp"

namespace minewall::weblog {

std::unique_ptr<RecordSink> open_feed_sink(const FeedOptions& feed, std::string& error);

}  // namespace minewall::weblog
