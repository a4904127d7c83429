#include "policy/policy_store.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <thread>

#include "feed_test_support.hpp"
#include "temp_dir.hpp"

using namespace minewall::policy;

namespace {

class FakeFetcher : public FeedFetcher {
  public:
    FeedFetchResult next{true, 200, "", ""};
    int calls = 0;
    std::string last_url;
    FeedFetchResult fetch(const std::string& url) override {
        ++calls;
        last_url = url;
        return next;
    }
};

struct FakeClock {
    std::chrono::steady_clock::time_point t{std::chrono::hours(1000)};
    std::function<std::chrono::steady_clock::time_point()> fn() {
        return [this] { return t; };
    }
};

RequestFacts connect(std::string host) {
    RequestFacts f;
    f.stage = Stage::Connect;
    f.host = std::move(host);
    return f;
}

const char* kPolicyWithUrlFeed = R"(version: 1
feeds:
  - name: remote
    source: https://feeds.example/hosts.txt
    format: hosts
    refresh: 1h
)";

// Rewrites a file so its size changes (mtime granularity can be coarse).
void rewrite(test::TempDir& dir, const std::string& name, const std::string& content) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    dir.write(name, content);
}

}  // namespace

TEST_CASE("a broken reload keeps the previous snapshot and reports file:line:col") {
    test::TempDir dir;
    PolicyStoreOptions o;
    o.policy_path = dir.write(
        "policy.yaml",
        "version: 1\nrules:\n  - id: a\n    action: block\n    domains: [pool.example]\n");
    PolicyStore store(o);
    REQUIRE(store.reload().ok);
    auto good = store.snapshot();
    CHECK(good->decide(connect("pool.example")).blocks());

    rewrite(dir, "policy.yaml",
            "version: 1\nrules:\n  - id: a\n    action: blok\n    domains: [pool.example]\n");
    auto r = store.reload();
    CHECK_FALSE(r.ok);
    REQUIRE_FALSE(r.errors.empty());
    CHECK(r.errors[0].to_string().find("policy.yaml:4:13:") != std::string::npos);
    CHECK(store.snapshot() == good);
    CHECK(store.counters().reloads_failed.load() == 1);

    rewrite(dir, "policy.yaml",
            "version: 1\nrules:\n  - id: a\n    action: block\n    domains: [other.example]\n");
    CHECK(store.reload().ok);
    CHECK(store.snapshot() != good);
    CHECK(store.snapshot()->decide(connect("other.example")).blocks());
    CHECK_FALSE(store.snapshot()->decide(connect("pool.example")).blocks());
}

TEST_CASE("an unreadable local feed fails the reload") {
    test::TempDir dir;
    PolicyStoreOptions o;
    o.policy_path = dir.write(
        "policy.yaml", "feeds:\n  - name: f\n    source: missing.txt\n    format: domains\n");
    PolicyStore store(o);
    auto r = store.reload();
    CHECK_FALSE(r.ok);
    REQUIRE(r.errors.size() == 1);
    CHECK(r.errors[0].line == 2);
    CHECK(r.errors[0].message.find("cannot read") != std::string::npos);
    CHECK(store.snapshot() == nullptr);
}

TEST_CASE("local feeds load with their bad lines reported as warnings") {
    test::TempDir dir;
    dir.write("pools.txt", "pool.example\nbad host:1\n");
    PolicyStoreOptions o;
    o.policy_path = dir.write(
        "policy.yaml", "feeds:\n  - name: pools\n    source: pools.txt\n    format: domains\n");
    PolicyStore store(o);
    auto r = store.reload();
    REQUIRE(r.ok);
    REQUIRE(r.warnings.size() == 1);
    CHECK(r.warnings[0].find("line 2") != std::string::npos);
    auto v = store.snapshot()->decide(connect("x.pool.example"));
    CHECK(v.blocks());
    CHECK(v.feed == "pools");
}

TEST_CASE("reload_if_changed notices edits to the policy and its feed files") {
    test::TempDir dir;
    dir.write("pools.txt", "pool.example\n");
    PolicyStoreOptions o;
    o.policy_path = dir.write(
        "policy.yaml", "feeds:\n  - name: pools\n    source: pools.txt\n    format: domains\n");
    PolicyStore store(o);
    REQUIRE(store.reload().ok);
    CHECK_FALSE(store.reload_if_changed());
    rewrite(dir, "pools.txt", "pool.example\nnew-pool.example\n");
    auto r = store.reload_if_changed();
    REQUIRE(r);
    CHECK(r->ok);
    CHECK(store.snapshot()->decide(connect("new-pool.example")).blocks());
    CHECK_FALSE(store.reload_if_changed());
}

TEST_CASE(
    "URL feeds: first fetch, disk cache, failed and malformed refreshes keep the last good copy") {
    test::TempDir dir;
    auto fetcher = std::make_shared<FakeFetcher>();
    FakeClock clock;
    PolicyStoreOptions o;
    o.policy_path = dir.write("policy.yaml", kPolicyWithUrlFeed);
    o.feed_cache_dir = dir.file("cache");
    o.fetcher = fetcher;
    o.now = clock.fn();

    fetcher->next = {true, 200, "0.0.0.0 pool-one.example\n", ""};
    PolicyStore store(o);
    REQUIRE(store.reload().ok);
    CHECK(fetcher->calls == 1);
    CHECK(fetcher->last_url == "https://feeds.example/hosts.txt");
    CHECK(store.snapshot()->decide(connect("pool-one.example")).blocks());

    // Not due yet.
    auto r = store.refresh_feeds();
    CHECK(r.due == 0);

    // Due, but the server fails: keep the last good version.
    clock.t += std::chrono::hours(2);
    fetcher->next = {false, 503, "", "HTTP 503"};
    r = store.refresh_feeds();
    CHECK(r.failed == 1);
    CHECK_FALSE(r.swapped);
    CHECK(store.snapshot()->decide(connect("pool-one.example")).blocks());
    CHECK(store.counters().feed("remote").refresh_failed.load() == 1);

    // Due again (retry), now an HTML error page served with 200: rejected.
    clock.t += std::chrono::hours(2);
    fetcher->next = {true, 200, "<html>\n<body>Service unavailable</body>\n</html>\n", ""};
    r = store.refresh_feeds();
    CHECK(r.rejected == 1);
    CHECK(store.snapshot()->decide(connect("pool-one.example")).blocks());

    // A good update replaces the feed and the snapshot.
    clock.t += std::chrono::hours(2);
    fetcher->next = {true, 200, "0.0.0.0 pool-two.example\n", ""};
    r = store.refresh_feeds();
    CHECK(r.updated == 1);
    CHECK(r.swapped);
    CHECK(store.snapshot()->decide(connect("pool-two.example")).blocks());
    CHECK_FALSE(store.snapshot()->decide(connect("pool-one.example")).blocks());

    // A restart without network still has the last good copy from disk.
    PolicyStoreOptions offline = o;
    auto dead = std::make_shared<FakeFetcher>();
    dead->next = {false, 0, "", "network unreachable"};
    offline.fetcher = dead;
    PolicyStore restarted(offline);
    auto rr = restarted.reload();
    REQUIRE(rr.ok);
    CHECK(dead->calls == 0);
    CHECK(restarted.snapshot()->decide(connect("pool-two.example")).blocks());
    CHECK(restarted.snapshot()->summary().feeds[0].origin == "cache");
    CHECK(restarted.counters().feed("remote").loaded_from_cache.load() == 1);
}

TEST_CASE("a URL feed with no copy and no network loads empty with a warning") {
    test::TempDir dir;
    PolicyStoreOptions o;
    o.policy_path = dir.write("policy.yaml", kPolicyWithUrlFeed);
    o.feed_cache_dir = dir.file("cache");
    PolicyStore store(o);
    auto r = store.reload();
    REQUIRE(r.ok);
    CHECK(std::any_of(r.warnings.begin(), r.warnings.end(), [](const std::string& w) {
        return w.find("no content yet") != std::string::npos;
    }));
    CHECK(store.snapshot()->summary().feeds[0].origin == "missing");
}

TEST_CASE("feed updates are judged before they are taken") {
    std::string why;
    FeedEntries empty;
    CHECK_FALSE(feed_update_acceptable(empty, &why));
    CHECK(why == "no usable entries");
    auto junk = parse_hosts_feed("<html>\n<p>oops</p>\n0.0.0.0 ok.example\n", {});
    CHECK_FALSE(feed_update_acceptable(junk, &why));
    auto fine = parse_hosts_feed(test::read_fixture("generated-hosts-malformed.txt"), {});
    CHECK(feed_update_acceptable(fine, &why));
}

TEST_CASE("readers keep using their snapshot while the store swaps") {
    test::TempDir dir;
    PolicyStoreOptions o;
    o.policy_path = dir.write(
        "policy.yaml", "rules:\n  - id: a\n    action: block\n    domains: [pool.example]\n");
    PolicyStore store(o);
    REQUIRE(store.reload().ok);
    std::atomic<bool> stop{false};
    std::atomic<int> blocked{0};
    std::thread reader([&] {
        while (!stop) {
            auto s = store.snapshot();
            if (s->decide(connect("pool.example")).blocks()) ++blocked;
        }
    });
    for (int i = 0; i < 5; ++i)
        CHECK(store.reload().ok);
    stop = true;
    reader.join();
    CHECK(blocked.load() > 0);
}
