#pragma once
// How URL feeds are downloaded. The policy module stays free of network code: the proxy provides
// an implementation (e.g. a blocking HTTPS GET with a timeout, run off the I/O threads), and tests
// provide fakes.
#include <string>

namespace minewall::policy {

struct FeedFetchResult {
    bool ok = false;
    int http_status = 0;  // 0 when no HTTP response was received
    std::string body;
    std::string error;  // why it failed, for the operator
};

class FeedFetcher {
  public:
    virtual ~FeedFetcher() = default;
    // Blocking; called from PolicyStore::reload() (first fetch of a feed with no cached copy) and
    // PolicyStore::refresh_feeds(), never from decide().
    virtual FeedFetchResult fetch(const std::string& url) = 0;
};

}  // namespace minewall::policy
