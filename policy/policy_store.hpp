#pragma once
// Holds the current policy Snapshot and replaces it atomically. reload() parses, loads feeds,
// compiles and validates a new snapshot and swaps it in only if all of that worked: a broken
// policy never replaces a good one. Readers pay one atomic load (snapshot()).
//
// Threading: snapshot()/decide() from any thread. reload(), refresh_feeds() and
// reload_if_changed() are serialised internally and may block (file reads, feed fetches): call
// them from a control thread, not from an I/O thread.
#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "policy/feed_cache.hpp"
#include "policy/feed_fetcher.hpp"
#include "policy/file_change_watcher.hpp"
#include "policy/policy_counters.hpp"
#include "policy/policy_document.hpp"
#include "policy/snapshot.hpp"

namespace minewall::policy {

struct PolicyStoreOptions {
    std::string policy_path;     // empty: the embedded default policy
    std::string feed_cache_dir;  // last-good URL feed copies; the policy's feed_cache_dir wins
    std::shared_ptr<FeedFetcher> fetcher;  // null: URL feeds come from the cache only
    std::function<std::chrono::steady_clock::time_point()> now;  // null: steady_clock::now
    std::chrono::seconds retry_after_failure{
        std::chrono::minutes(15)};  // capped by the feed's refresh
};

struct ReloadResult {
    bool ok = false;  // a new snapshot is in place
    std::vector<PolicyError> errors;
    std::vector<std::string> warnings;
};

struct FeedRefreshResult {
    std::size_t due = 0, updated = 0, unchanged = 0, failed = 0, rejected = 0;
    bool swapped = false;  // a new snapshot with the updated feeds is in place
    std::vector<std::string> messages;
};

class PolicyStore {
  public:
    explicit PolicyStore(PolicyStoreOptions options);
    ~PolicyStore();

    ReloadResult reload();
    // Re-reads the policy when the policy file or a local feed file changed since the last
    // reload attempt; nullopt when nothing changed.
    std::optional<ReloadResult> reload_if_changed();
    // Fetches URL feeds whose refresh interval has passed. A failed or malformed download keeps
    // the last good version (in memory and on disk).
    FeedRefreshResult refresh_feeds();

    // Null until the first successful reload().
    std::shared_ptr<const Snapshot> snapshot() const noexcept {
        return current_.load(std::memory_order_acquire);
    }

    PolicyCounters& counters() { return *counters_; }
    std::shared_ptr<PolicyCounters> shared_counters() const { return counters_; }

  private:
    struct FeedState {
        std::string text;  // last good content
        std::string origin;
        std::chrono::steady_clock::time_point next_fetch{};
    };

    std::chrono::steady_clock::time_point now() const;
    FeedCache cache_for(const PolicyDocument& doc) const;
    // Loads every feed's text (no network unless allow_fetch) and parses it.
    std::vector<LoadedFeed> load_feeds(const PolicyDocument& doc, bool allow_fetch,
                                       ReloadResult& result);
    bool install(const PolicyDocument& doc, std::vector<LoadedFeed> feeds, ReloadResult& result);
    void watch_files(const std::optional<PolicyDocument>& doc);

    PolicyStoreOptions options_;
    std::shared_ptr<PolicyCounters> counters_;
    std::atomic<std::shared_ptr<const Snapshot>> current_;

    std::mutex control_;                          // serialises reload / refresh
    std::optional<PolicyDocument> document_;      // of the current snapshot
    std::map<std::string, FeedState> url_feeds_;  // by feed name + source
    FileChangeWatcher watcher_;
};

// A downloaded feed is taken only if it parsed into something usable: not empty, and not more
// unusable lines than usable ones (an HTML error page served with 200, a truncated file).
bool feed_update_acceptable(const FeedEntries& entries, std::string* why);

}  // namespace minewall::policy
