#include "weblog/feed_sink.hpp"

#include "weblog/http_batch_sink.hpp"
#include "weblog/stream_sink.hpp"

namespace minewall::weblog {

std::unique_ptr<RecordSink> open_feed_sink(const FeedOptions& feed, std::string& error) {
    if (const auto* file = std::get_if<FileDestination>(&feed.destination)) {
        return FileSink::open(*file, error);
    }
    if (const auto* stream = std::get_if<StreamDestination>(&feed.destination)) {
        return StreamSink::open(feed.name, *stream, feed.delivery, error);
    }
    return HttpBatchSink::open(feed.name, std::get<HttpDestination>(feed.destination),
                               feed.delivery, error);
}

}  // namespace minewall::weblog
