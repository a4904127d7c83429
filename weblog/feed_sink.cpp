#include "weblog/feed_sink.hpp"

namespace minewall::weblog {

std::unique_ptr<RecordSink> open_feed_sink(const FeedOptions& feed, std::string& error) {
    if (const auto* file = std::get_if<FileDestination>(&feed.destination)) {
        return FileSink::open(*file, error);
    }
    error = "feed '" + feed.name + "': network destinations are not available yet";
    return nullptr;
}

}  // namespace minewall::weblog
