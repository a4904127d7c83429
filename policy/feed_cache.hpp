#pragma once
// On-disk last-good copies of URL feeds, so a restart without network still has every feed.
// A copy is replaced only by a refresh that parsed well; writes are atomic (temp file + rename).
#include <optional>
#include <string>
#include <string_view>

#include "policy/policy_document.hpp"

namespace minewall::policy {

class FeedCache {
  public:
    explicit FeedCache(std::string directory);  // empty directory: caching disabled

    bool enabled() const { return !directory_.empty(); }
    std::optional<std::string> load(const FeedSpec& feed) const;
    bool store(const FeedSpec& feed, std::string_view content, std::string* error) const;
    // <dir>/<feed name>-<hash of the source URL>.feed: a changed URL never reads a stale copy.
    std::string path_for(const FeedSpec& feed) const;

  private:
    std::string directory_;
};

}  // namespace minewall::policy
