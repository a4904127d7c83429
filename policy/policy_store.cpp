#include "policy/policy_store.hpp"

#include <fstream>
#include <sstream>

#include "policy/embedded_text.hpp"
#include "text/read_file.hpp"

namespace minewall::policy {
namespace {

std::optional<std::string> read_file(const std::string& path) {
    return text::read_file(path).content;
}

std::string feed_key(const FeedSpec& spec) {
    return spec.name + "\n" + spec.source;
}

FeedParseOptions parse_options(const FeedSpec& spec) {
    FeedParseOptions o;
    o.include_subdomains = spec.include_subdomains;
    o.user_agent_category = spec.category;
    return o;
}

}  // namespace

bool feed_update_acceptable(const FeedEntries& entries, std::string* why) {
    if (entries.usable() == 0) {
        if (why) *why = "no usable entries";
        return false;
    }
    if (entries.issues.size() > entries.usable()) {
        if (why)
            *why = std::to_string(entries.issues.size()) + " unusable lines against " +
                   std::to_string(entries.usable()) + " usable entries";
        return false;
    }
    return true;
}

PolicyStore::PolicyStore(PolicyStoreOptions options)
    : options_(std::move(options)), counters_(std::make_shared<PolicyCounters>()) {}

PolicyStore::~PolicyStore() = default;

std::chrono::steady_clock::time_point PolicyStore::now() const {
    return options_.now ? options_.now() : std::chrono::steady_clock::now();
}

FeedCache PolicyStore::cache_for(const PolicyDocument& doc) const {
    return FeedCache(doc.feed_cache_dir.empty() ? options_.feed_cache_dir : doc.feed_cache_dir);
}

std::vector<LoadedFeed> PolicyStore::load_feeds(const PolicyDocument& doc, bool allow_fetch,
                                                ReloadResult& result) {
    std::vector<LoadedFeed> out;
    FeedCache cache = cache_for(doc);
    for (const auto& spec : doc.feeds) {
        LoadedFeed loaded{spec, {}, {}};
        std::optional<std::string> text;
        if (spec.is_builtin()) {
            text = std::string(embedded::nocoin_feed_text());
            loaded.origin = "builtin";
        } else if (!spec.is_url()) {
            text = read_file(spec.source);
            loaded.origin = "file";
            if (!text) {
                result.errors.push_back({doc.source, spec.line, 0,
                                         "feed '" + spec.name + "': cannot read " + spec.source});
                continue;
            }
        } else {
            auto& state = url_feeds_[feed_key(spec)];
            if (!state.text.empty()) {
                text = state.text;
                loaded.origin = state.origin;
            } else if (auto cached = cache.load(spec)) {
                auto entries = parse_feed(spec.format, *cached, parse_options(spec));
                if (feed_update_acceptable(entries, nullptr)) {
                    state.text = *cached;
                    state.origin = loaded.origin = "cache";
                    state.next_fetch = now();  // refresh as soon as the network allows
                    counters_->feed(spec.name).loaded_from_cache.fetch_add(
                        1, std::memory_order_relaxed);
                    text = std::move(cached);
                }
            }
            if (!text && allow_fetch && options_.fetcher) {
                auto& fc = counters_->feed(spec.name);
                auto fetched = options_.fetcher->fetch(spec.source);
                std::string why;
                if (!fetched.ok) {
                    fc.refresh_failed.fetch_add(1, std::memory_order_relaxed);
                    result.warnings.push_back("feed '" + spec.name +
                                              "': fetch failed: " + fetched.error);
                } else if (auto entries =
                               parse_feed(spec.format, fetched.body, parse_options(spec));
                           !feed_update_acceptable(entries, &why)) {
                    fc.refresh_rejected.fetch_add(1, std::memory_order_relaxed);
                    result.warnings.push_back("feed '" + spec.name +
                                              "': download rejected: " + why);
                } else {
                    fc.refresh_ok.fetch_add(1, std::memory_order_relaxed);
                    std::string error;
                    if (cache.enabled() && !cache.store(spec, fetched.body, &error))
                        result.warnings.push_back("feed '" + spec.name + "': " + error);
                    state.text = fetched.body;
                    state.origin = loaded.origin = "network";
                    state.next_fetch = now() + spec.refresh;
                    text = std::move(fetched.body);
                }
                if (!text)
                    state.next_fetch = now() + std::min(spec.refresh, options_.retry_after_failure);
            }
            if (!cache.enabled())
                result.warnings.push_back(
                    "feed '" + spec.name +
                    "': no feed_cache_dir, so a restart without network loses it");
            if (!text) loaded.origin = "missing";
        }
        if (text) loaded.entries = parse_feed(spec.format, *text, parse_options(spec));
        out.push_back(std::move(loaded));
    }
    return out;
}

bool PolicyStore::install(const PolicyDocument& doc, std::vector<LoadedFeed> feeds,
                          ReloadResult& result) {
    auto built = Snapshot::build(doc, std::move(feeds), counters_);
    result.warnings.insert(result.warnings.end(), built.warnings.begin(), built.warnings.end());
    result.errors.insert(result.errors.end(), built.errors.begin(), built.errors.end());
    if (!built.snapshot) return false;
    current_.store(std::move(built.snapshot), std::memory_order_release);
    document_ = doc;
    return true;
}

void PolicyStore::watch_files(const std::optional<PolicyDocument>& doc) {
    std::vector<std::string> paths;
    if (!options_.policy_path.empty()) paths.push_back(options_.policy_path);
    if (doc)
        for (const auto& f : doc->feeds)
            if (!f.is_url() && !f.is_builtin()) paths.push_back(f.source);
    watcher_.watch(std::move(paths));
}

ReloadResult PolicyStore::reload() {
    std::lock_guard lock(control_);
    ReloadResult result;
    auto parsed = options_.policy_path.empty() ? load_default_policy()
                                               : load_policy_file(options_.policy_path);
    result.errors = std::move(parsed.errors);
    if (parsed.document) {
        auto feeds = load_feeds(*parsed.document, true, result);
        if (result.errors.empty()) result.ok = install(*parsed.document, std::move(feeds), result);
    }
    // Watch what was just read, good or bad, so a broken file is reported once, not every poll;
    // its next edit triggers the next attempt.
    watch_files(parsed.document ? parsed.document : document_);
    (result.ok ? counters_->reloads_ok : counters_->reloads_failed)
        .fetch_add(1, std::memory_order_relaxed);
    return result;
}

std::optional<ReloadResult> PolicyStore::reload_if_changed() {
    {
        std::lock_guard lock(control_);
        if (!watcher_.changed()) return std::nullopt;
    }
    return reload();
}

FeedRefreshResult PolicyStore::refresh_feeds() {
    std::lock_guard lock(control_);
    FeedRefreshResult result;
    if (!document_ || !options_.fetcher) return result;
    FeedCache cache = cache_for(*document_);
    auto t = now();
    for (const auto& spec : document_->feeds) {
        if (!spec.is_url()) continue;
        auto& state = url_feeds_[feed_key(spec)];
        if (t < state.next_fetch) continue;
        ++result.due;
        auto& fc = counters_->feed(spec.name);
        auto retry = t + std::min(spec.refresh, options_.retry_after_failure);
        auto fetched = options_.fetcher->fetch(spec.source);
        if (!fetched.ok) {
            ++result.failed;
            fc.refresh_failed.fetch_add(1, std::memory_order_relaxed);
            result.messages.push_back(
                "feed '" + spec.name +
                "': fetch failed, keeping the last good version: " + fetched.error);
            state.next_fetch = retry;
            continue;
        }
        std::string why;
        auto entries = parse_feed(spec.format, fetched.body, parse_options(spec));
        if (!feed_update_acceptable(entries, &why)) {
            ++result.rejected;
            fc.refresh_rejected.fetch_add(1, std::memory_order_relaxed);
            result.messages.push_back("feed '" + spec.name + "': download rejected (" + why +
                                      "), keeping the last good version");
            state.next_fetch = retry;
            continue;
        }
        fc.refresh_ok.fetch_add(1, std::memory_order_relaxed);
        state.next_fetch = t + spec.refresh;
        if (fetched.body == state.text) {
            ++result.unchanged;
            state.origin = "network";
            continue;
        }
        std::string error;
        if (cache.enabled() && !cache.store(spec, fetched.body, &error))
            result.messages.push_back("feed '" + spec.name + "': " + error);
        state.text = std::move(fetched.body);
        state.origin = "network";
        ++result.updated;
    }
    if (result.updated > 0) {
        ReloadResult rebuild;
        auto feeds = load_feeds(*document_, false, rebuild);
        if (rebuild.errors.empty()) result.swapped = install(*document_, std::move(feeds), rebuild);
        for (const auto& e : rebuild.errors)
            result.messages.push_back(e.to_string());
    }
    return result;
}

}  // namespace minewall::policy
