#pragma once
// Downloads policy URL feeds: HTTP or HTTPS GET with the origin's certificate verified (system
// store plus tls.upstream_ca_file), a few redirects, a size cap and a deadline. Blocking: the
// policy store calls it from its control thread, never from an I/O thread.
#include <chrono>
#include <string>

#include "policy/feed_fetcher.hpp"

namespace minewall::proxy {

struct FeedDownloadOptions {
    std::string extra_ca_file;
    std::chrono::milliseconds timeout{30'000};
    std::size_t max_bytes = 64 * 1024 * 1024;
    int max_redirects = 3;
};

class FeedDownloader final : public policy::FeedFetcher {
  public:
    explicit FeedDownloader(FeedDownloadOptions options) : options_(std::move(options)) {}
    policy::FeedFetchResult fetch(const std::string& url) override;

  private:
    FeedDownloadOptions options_;
};

}  // namespace minewall::proxy
