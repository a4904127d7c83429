// Policy micro-benchmarks: loading a 1,000,000-domain feed through PolicyStore, host look-ups in
// that snapshot at Stage::Connect, a 1,000-term User-Agent set, and the default (embedded)
// policy as the baseline. Inputs are generated deterministically into a temporary directory so
// every run measures the same data.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "policy/domain_set.hpp"
#include "policy/policy_store.hpp"
#include "policy/request_facts.hpp"
#include "policy/snapshot.hpp"

namespace fs = std::filesystem;
using minewall::policy::DomainSet;
using minewall::policy::PolicyStore;
using minewall::policy::PolicyStoreOptions;
using minewall::policy::RequestFacts;
using minewall::policy::Snapshot;
using minewall::policy::Stage;
using minewall::policy::Verdict;

namespace {

constexpr std::size_t kFeedDomains = 1'000'000;
constexpr std::size_t kUserAgentTerms = 1'000;
constexpr std::size_t kLookupSamples = 100'000;
// Distinct queries cycled through by the timed loops: the 1M look-ups run with a small pool
// (hot names, mostly cache-resident, like real traffic) and with 100,000 distinct names spread
// over the table (cache- and TLB-cold, the pessimistic case).
constexpr std::size_t kQueryPool = 4096;
constexpr std::size_t kColdQueryPool = 100'000;

// SplitMix64: deterministic and good enough to spread names over the hash table.
struct Generator {
    std::uint64_t state;
    std::uint64_t next() {
        std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
    std::string word(std::size_t min_len, std::size_t max_len) {
        std::size_t len = min_len + next() % (max_len - min_len + 1);
        std::string w;
        for (std::size_t i = 0; i < len; ++i)
            w.push_back(static_cast<char>('a' + next() % 26));
        return w;
    }
};

constexpr const char* kTlds[] = {"com", "net", "org", "io", "xyz", "ru", "de", "cc", "top", "info"};

// Feed domain number i: "<word><i>.<tld>" (the number keeps every name distinct). The generator
// is seeded per index so a look-up can rebuild any listed name without storing the list.
std::string feed_domain(std::size_t i) {
    Generator g{0x5EED0000ull + i};
    std::string w = g.word(5, 12);
    return w + std::to_string(i) + "." + kTlds[g.next() % std::size(kTlds)];
}

// Names that are not in the feed: same shape, a letter where the feed puts its number suffix.
std::string absent_domain(std::size_t i) {
    Generator g{0xABCD0000ull + i};
    std::string w = g.word(5, 12);
    return "www." + w + "q" + std::to_string(i) + "." + kTlds[g.next() % std::size(kTlds)];
}

struct TempDir {
    fs::path path;
    TempDir() {
        std::string tmpl = (fs::temp_directory_path() / "minewall-bench-XXXXXX").string();
        if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
        path = tmpl;
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
};

void write_file(const fs::path& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary);
    out << text;
    if (!out) throw std::runtime_error("cannot write " + path.string());
}

// VmRSS / VmHWM from /proc/self/status, in KiB (0 when unavailable).
std::int64_t proc_status_kib(const std::string& key) {
    std::ifstream in("/proc/self/status");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind(key + ":", 0) == 0) return std::atoll(line.c_str() + key.size() + 1);
    }
    return 0;
}

std::unique_ptr<PolicyStore> load_store(const fs::path& policy_path) {
    PolicyStoreOptions options;
    options.policy_path = policy_path.string();
    auto store = std::make_unique<PolicyStore>(std::move(options));
    auto result = store->reload();
    if (!result.ok) {
        std::string why = "policy reload failed:";
        for (const auto& e : result.errors) {
            why += ' ';
            why += e.to_string();
        }
        throw std::runtime_error(why);
    }
    return store;
}

// The policy file and the 1M-domain feed, written once per process.
struct BigFeedFiles {
    TempDir dir;
    fs::path policy;
    BigFeedFiles() {
        std::string text = "# generated benchmark feed, domains format\n";
        text.reserve(kFeedDomains * 20);
        for (std::size_t i = 0; i < kFeedDomains; ++i)
            text += feed_domain(i) + "\n";
        write_file(dir.path / "big-domains.txt", text);
        policy = dir.path / "policy.yaml";
        write_file(policy,
                   "version: 1\n"
                   "mode: enforce\n"
                   "feeds:\n"
                   "  - name: big\n"
                   "    source: big-domains.txt\n"
                   "    format: domains\n"
                   "    action: block\n");
    }
};

BigFeedFiles& big_feed_files() {
    static BigFeedFiles files;
    return files;
}

// The 1M snapshot shared by the look-up benchmarks; BM_LoadMillionDomainFeed fills it first so
// its RSS figure is taken on a process that has not loaded it yet.
std::unique_ptr<PolicyStore>& big_store() {
    static std::unique_ptr<PolicyStore> store;
    return store;
}

std::shared_ptr<const Snapshot> big_snapshot() {
    auto& store = big_store();
    if (!store) store = load_store(big_feed_files().policy);
    return store->snapshot();
}

void BM_LoadMillionDomainFeed(benchmark::State& state) {
    const fs::path policy = big_feed_files().policy;  // generate outside the measurement
    for (auto _ : state) {
        big_store().reset();
        std::int64_t rss_before = proc_status_kib("VmRSS");
        std::int64_t hwm_before = proc_status_kib("VmHWM");
        auto start = std::chrono::steady_clock::now();
        auto store = load_store(policy);
        auto seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        std::int64_t rss_after = proc_status_kib("VmRSS");
        std::int64_t hwm_after = proc_status_kib("VmHWM");
        state.SetIterationTime(seconds);
        state.counters["load_s"] = seconds;
        state.counters["rss_growth_MiB"] = static_cast<double>(rss_after - rss_before) / 1024.0;
        state.counters["hwm_growth_MiB"] =
            static_cast<double>(std::max<std::int64_t>(0, hwm_after - hwm_before)) / 1024.0;
        state.counters["rss_after_MiB"] = static_cast<double>(rss_after) / 1024.0;
        state.counters["domains"] = static_cast<double>(store->snapshot()->summary().domains);
        state.counters["target_met"] =
            (seconds <= 2.0 && rss_after - rss_before <= 200 * 1024) ? 1 : 0;
        big_store() = std::move(store);
    }
}
BENCHMARK(BM_LoadMillionDomainFeed)->Iterations(1)->UseManualTime()->Unit(benchmark::kMillisecond);

RequestFacts connect_facts(std::string host) {
    RequestFacts f;
    f.stage = Stage::Connect;
    f.client_ip = "10.1.2.3";
    f.host = std::move(host);
    f.port = 443;
    return f;
}

// Hits: "www." + a listed name (the feed includes subdomains), spread over the whole list.
std::vector<RequestFacts> hit_queries(std::size_t count) {
    std::vector<RequestFacts> q;
    for (std::size_t i = 0; i < count; ++i)
        q.push_back(connect_facts("www." + feed_domain((i * 7919) % kFeedDomains)));
    return q;
}

std::vector<RequestFacts> miss_queries(std::size_t count) {
    std::vector<RequestFacts> q;
    for (std::size_t i = 0; i < count; ++i)
        q.push_back(connect_facts(absent_domain(i)));
    return q;
}

// Median of kLookupSamples individually timed decide() calls, in ns (steady_clock overhead of
// roughly 20 ns per sample included, so the figure is slightly pessimistic).
double median_decide_ns(const Snapshot& snap, const std::vector<RequestFacts>& queries) {
    std::vector<double> samples;
    samples.reserve(kLookupSamples);
    for (std::size_t i = 0; i < kLookupSamples; ++i) {
        const auto& f = queries[i % queries.size()];
        auto t0 = std::chrono::steady_clock::now();
        auto v = snap.decide(f);
        auto t1 = std::chrono::steady_clock::now();
        benchmark::DoNotOptimize(v);
        samples.push_back(std::chrono::duration<double, std::nano>(t1 - t0).count());
    }
    std::nth_element(samples.begin(), samples.begin() + samples.size() / 2, samples.end());
    return samples[samples.size() / 2];
}

// Runs decide() over `queries`, checks every verdict is as expected, and reports the median.
void run_decide(benchmark::State& state, const Snapshot& snap,
                const std::vector<RequestFacts>& queries, bool expect_block,
                double median_target_ns) {
    for (const auto& f : queries) {
        if (snap.decide(f).blocks() != expect_block) {
            state.SkipWithError(("unexpected verdict for " + f.host + " " + f.user_agent).c_str());
            return;
        }
    }
    std::size_t i = 0;
    for (auto _ : state) {
        auto v = snap.decide(queries[i]);
        benchmark::DoNotOptimize(v);
        if (++i == queries.size()) i = 0;
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
    double median = median_decide_ns(snap, queries);
    state.counters["median_ns"] = median;
    if (median_target_ns > 0) state.counters["target_met"] = median <= median_target_ns ? 1 : 0;
}

void BM_ConnectLookupHit1M(benchmark::State& state) {
    auto snap = big_snapshot();
    run_decide(state, *snap, hit_queries(static_cast<std::size_t>(state.range(0))), true, 300);
}
BENCHMARK(BM_ConnectLookupHit1M)->Arg(kQueryPool)->Arg(kColdQueryPool);

void BM_ConnectLookupMiss1M(benchmark::State& state) {
    auto snap = big_snapshot();
    run_decide(state, *snap, miss_queries(static_cast<std::size_t>(state.range(0))), false, 300);
}
BENCHMARK(BM_ConnectLookupMiss1M)->Arg(kQueryPool)->Arg(kColdQueryPool);

// Breakdown of the look-up figures above: the bare DomainSet::match on the same 1M names (no
// decide() around it), and the cost of the Verdict an allowed decide() returns.
const DomainSet& big_domain_set() {
    static const DomainSet set = [] {
        DomainSet s;
        for (std::size_t i = 0; i < kFeedDomains; ++i)
            s.add(feed_domain(i), true, static_cast<std::uint32_t>(i));
        return s;
    }();
    return set;
}

void run_domain_match(benchmark::State& state, const std::vector<RequestFacts>& queries,
                      bool expect_hit) {
    const DomainSet& set = big_domain_set();
    for (const auto& f : queries) {
        bool hit = false;
        set.match(f.host, [&](std::uint32_t, std::string_view) { hit = true; });
        if (hit != expect_hit) {
            state.SkipWithError(("unexpected DomainSet result for " + f.host).c_str());
            return;
        }
    }
    std::size_t i = 0;
    for (auto _ : state) {
        std::uint32_t found = 0;
        set.match(queries[i].host, [&](std::uint32_t v, std::string_view) { found += v + 1; });
        benchmark::DoNotOptimize(found);
        if (++i == queries.size()) i = 0;
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

void BM_DomainSetMatchHit1M(benchmark::State& state) {
    run_domain_match(state, hit_queries(static_cast<std::size_t>(state.range(0))), true);
}
BENCHMARK(BM_DomainSetMatchHit1M)->Arg(kQueryPool)->Arg(kColdQueryPool);

void BM_DomainSetMatchMiss1M(benchmark::State& state) {
    run_domain_match(state, miss_queries(static_cast<std::size_t>(state.range(0))), false);
}
BENCHMARK(BM_DomainSetMatchMiss1M)->Arg(kQueryPool)->Arg(kColdQueryPool);

void BM_VerdictDefaultConstruct(benchmark::State& state) {
    for (auto _ : state) {
        Verdict v;
        benchmark::DoNotOptimize(v);
    }
}
BENCHMARK(BM_VerdictDefaultConstruct);

// --- User-Agent set of 1,000 terms (useragent_csv feed) ---

// Term number i: a made-up tool name with a version-like tail, e.g. "korvexa17-miner".
std::string ua_term(std::size_t i) {
    Generator g{0x0A000000ull + i};
    return g.word(4, 9) + std::to_string(i) + "-" + g.word(3, 6);
}

struct UserAgentPolicy {
    TempDir dir;
    std::unique_ptr<PolicyStore> store;
    UserAgentPolicy() {
        std::string csv = "UserAgent,UserAgentCategory\n";
        for (std::size_t i = 0; i < kUserAgentTerms; ++i)
            csv += ua_term(i) + ",Cryptominer\n";
        write_file(dir.path / "ua.csv", csv);
        write_file(dir.path / "policy.yaml",
                   "version: 1\n"
                   "feeds:\n"
                   "  - name: ua1000\n"
                   "    source: ua.csv\n"
                   "    format: useragent_csv\n"
                   "    category: Cryptominer\n"
                   "    action: block\n");
        store = load_store(dir.path / "policy.yaml");
    }
};

std::shared_ptr<const Snapshot> ua_snapshot() {
    static UserAgentPolicy policy;
    return policy.store->snapshot();
}

constexpr const char* kBrowserUserAgents[] = {
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/119.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.1 Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Version/17.1 Mobile/15E148 Safari/604.1",
};

RequestFacts browser_request(std::string host, std::string path, std::string user_agent) {
    RequestFacts f;
    f.stage = Stage::Request;
    f.client_ip = "10.1.2.3";
    f.host = host;
    f.port = 443;
    f.sni = host;
    f.method = "GET";
    f.url = "https://" + host + path;
    f.user_agent = std::move(user_agent);
    return f;
}

std::vector<RequestFacts> browser_requests() {
    const char* hosts[] = {"www.example.com", "news.example.org", "cdn.shop.example.net",
                           "docs.example.io"};
    const char* paths[] = {"/", "/index.html", "/assets/app.3f9c2.js", "/api/v1/items?page=2",
                           "/images/logo.png"};
    std::vector<RequestFacts> q;
    for (const char* ua : kBrowserUserAgents)
        for (const char* h : hosts)
            for (const char* p : paths)
                q.push_back(browser_request(h, p, ua));
    return q;
}

void BM_UserAgentSet1000Browser(benchmark::State& state) {
    auto snap = ua_snapshot();
    state.counters["ua_terms"] = static_cast<double>(snap->summary().user_agent_terms);
    run_decide(state, *snap, browser_requests(), false, 2000);
}
BENCHMARK(BM_UserAgentSet1000Browser);

// decide() memoises the last few User-Agents per thread, so the benchmark above (4 agents
// cycled) measures the memo. Here 64 distinct agents: every call runs the RE2 pass.
std::vector<std::string> distinct_browser_agents(std::size_t count) {
    std::vector<std::string> uas;
    for (std::size_t i = 0; i < count; ++i)
        uas.push_back(
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like "
            "Gecko) Chrome/" +
            std::to_string(100 + i) + ".0." + std::to_string(6000 + 7 * i) + ".0 Safari/537.36");
    return uas;
}

void BM_UserAgentSet1000BrowserDistinct(benchmark::State& state) {
    auto snap = ua_snapshot();
    std::vector<RequestFacts> q;
    for (const auto& ua : distinct_browser_agents(64))
        q.push_back(browser_request("www.example.com", "/", ua));
    run_decide(state, *snap, q, false, 2000);
}
BENCHMARK(BM_UserAgentSet1000BrowserDistinct);

void BM_UserAgentSet1000Miner(benchmark::State& state) {
    auto snap = ua_snapshot();
    std::vector<RequestFacts> q;
    for (std::size_t i = 0; i < 64; ++i)
        q.push_back(browser_request("pool.example.com", "/",
                                    ua_term((i * 97) % kUserAgentTerms) + "/2.3 (Linux x86_64)"));
    run_decide(state, *snap, q, true, 2000);
}
BENCHMARK(BM_UserAgentSet1000Miner);

// --- Default (embedded) policy: the baseline ---

std::shared_ptr<const Snapshot> default_snapshot() {
    static std::unique_ptr<PolicyStore> store = load_store({});
    return store->snapshot();
}

void BM_DefaultPolicyBrowserRequest(benchmark::State& state) {
    run_decide(state, *default_snapshot(), browser_requests(), false, 0);
}
BENCHMARK(BM_DefaultPolicyBrowserRequest);

void BM_DefaultPolicyConnect(benchmark::State& state) {
    std::vector<RequestFacts> q;
    for (std::size_t i = 0; i < kQueryPool; ++i)
        q.push_back(connect_facts(absent_domain(i)));
    run_decide(state, *default_snapshot(), q, false, 0);
}
BENCHMARK(BM_DefaultPolicyConnect);

// --- Default policy, ordinary allowed traffic (issue 4: the per-request policy cost) ---
// What >99.9 % of real traffic looks like: a non-mining host, an https URL with path and query,
// a browser or a curl User-Agent; responses whose bodies carry no miner signature.

RequestFacts ordinary_request(std::string host, std::string path, std::string user_agent) {
    RequestFacts f = browser_request(std::move(host), std::move(path), std::move(user_agent));
    f.client_ip = "127.0.0.1";
    return f;
}

std::vector<RequestFacts> ordinary_requests(const char* user_agent) {
    const char* hosts[] = {"www.example.com", "api.github.com", "static.cdn.example.net",
                           "127.0.0.1"};
    const char* paths[] = {
        "/search?q=weather+forecast&hl=en&source=hp&ei=a8Kx2w",
        "/repos/acme/widgets/pulls?state=open&per_page=50&page=3",
        "/static/js/main.7d3f2a91.chunk.js?v=20261126",
        "/products/kitchen/chairs/oak-dining-chair-set-of-4?color=natural&ref=homepage_banner",
        "/1k.bin",
    };
    std::vector<RequestFacts> q;
    for (const char* h : hosts)
        for (const char* p : paths)
            q.push_back(ordinary_request(h, p, user_agent));
    return q;
}

void BM_OrdinaryRequestBrowser(benchmark::State& state) {
    run_decide(state, *default_snapshot(), ordinary_requests(kBrowserUserAgents[0]), false, 0);
}
BENCHMARK(BM_OrdinaryRequestBrowser);

void BM_OrdinaryRequestCurl(benchmark::State& state) {
    run_decide(state, *default_snapshot(), ordinary_requests("curl/8.5.0"), false, 0);
}
BENCHMARK(BM_OrdinaryRequestCurl);

// As above with 64 distinct browser User-Agents cycled: no help from the per-thread memo.
void BM_OrdinaryRequestDistinctAgents(benchmark::State& state) {
    std::vector<RequestFacts> q;
    auto uas = distinct_browser_agents(64);
    auto base = ordinary_requests("");
    for (std::size_t i = 0; i < uas.size(); ++i) {
        RequestFacts f = base[i % base.size()];
        f.user_agent = uas[i];
        q.push_back(std::move(f));
    }
    run_decide(state, *default_snapshot(), q, false, 0);
}
BENCHMARK(BM_OrdinaryRequestDistinctAgents);

// Bodies: deterministic, and free of every miner signature (checked by run_decide's verdicts).
std::string octet_stream_body(std::size_t size) {
    Generator g{0xB1B1B1B1ull};
    std::string b;
    for (std::size_t i = 0; i < size; ++i)
        b.push_back(static_cast<char>(g.next() & 0xFF));
    return b;
}

std::string ordinary_html(std::size_t size) {
    std::string h =
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<title>Oak dining chairs - Example Furniture</title>\n"
        "<link rel=\"stylesheet\" href=\"/static/css/site.4b1e.css\">\n"
        "<script src=\"/static/js/main.7d3f2a91.chunk.js\" defer></script>\n</head>\n<body>\n";
    for (std::size_t i = 0; h.size() < size; ++i)
        h += "<div class=\"product-card\" data-id=\"" + std::to_string(1000 + i) +
             "\"><a href=\"/products/" + std::to_string(i) + "\"><img src=\"/img/p" +
             std::to_string(i) + ".webp\" alt=\"Chair\"></a><p>Solid oak, seats 4.</p></div>\n";
    h.resize(size);
    return h;
}

std::string ordinary_javascript(std::size_t size) {
    std::string js = "\"use strict\";\n(function(){\n";
    for (std::size_t i = 0; js.size() < size; ++i) {
        std::string n = std::to_string(i);
        js += "function renderItem" + n +
              "(item, el) {\n  const price = (item.cents / 100)"
              ".toFixed(2);\n  el.querySelector('.title').textContent = item.title;\n"
              "  el.dataset.id = String(item.id + " +
              n +
              ");\n  if (price > 10) "
              "{ el.classList.add('pricey'); }\n  return fetch('/api/v1/items/' + item.id + "
              "'?expand=reviews').then(r => r.json());\n}\n";
    }
    js.resize(size);
    return js;
}

RequestFacts response_facts(std::string content_type, std::string_view body) {
    RequestFacts f;
    f.stage = Stage::Response;
    f.client_ip = "127.0.0.1";
    f.host = "127.0.0.1";
    f.port = 80;
    f.content_type = std::move(content_type);
    f.leading_bytes = body;
    return f;
}

void run_response(benchmark::State& state, const char* content_type, const std::string& body) {
    run_decide(state, *default_snapshot(), {response_facts(content_type, body)}, false, 0);
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * body.size()));
}

void BM_OrdinaryResponseOctetStream1K(benchmark::State& state) {
    static const std::string body = octet_stream_body(1024);
    run_response(state, "application/octet-stream", body);
}
BENCHMARK(BM_OrdinaryResponseOctetStream1K);

void BM_OrdinaryResponseHtml1K(benchmark::State& state) {
    static const std::string body = ordinary_html(1024);
    run_response(state, "text/html; charset=utf-8", body);
}
BENCHMARK(BM_OrdinaryResponseHtml1K);

void BM_OrdinaryResponseJs16K(benchmark::State& state) {
    static const std::string body = ordinary_javascript(16 * 1024);
    run_response(state, "application/javascript", body);
}
BENCHMARK(BM_OrdinaryResponseJs16K);

// The streaming path the proxy's HTTP forwarder uses for response bodies: content_scanner(),
// feed() the body, finish(). Same bodies as above.
void run_stream_scan(benchmark::State& state, const std::string& body) {
    auto snap = default_snapshot();
    {
        auto scanner = snap->content_scanner();
        auto d = scanner.feed(body);
        if (d.status == minewall::policy::ScanStatus::NeedMore) d = scanner.finish();
        if (d.status != minewall::policy::ScanStatus::NoMatch) {
            state.SkipWithError("ordinary body matched a miner signature");
            return;
        }
    }
    for (auto _ : state) {
        auto scanner = snap->content_scanner();
        auto d = scanner.feed(body);
        if (d.status == minewall::policy::ScanStatus::NeedMore) d = scanner.finish();
        benchmark::DoNotOptimize(d);
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * body.size()));
}

void BM_StreamScanOctetStream1K(benchmark::State& state) {
    static const std::string body = octet_stream_body(1024);
    run_stream_scan(state, body);
}
BENCHMARK(BM_StreamScanOctetStream1K);

void BM_StreamScanHtml1K(benchmark::State& state) {
    static const std::string body = ordinary_html(1024);
    run_stream_scan(state, body);
}
BENCHMARK(BM_StreamScanHtml1K);

void BM_StreamScanJs16K(benchmark::State& state) {
    static const std::string body = ordinary_javascript(16 * 1024);
    run_stream_scan(state, body);
}
BENCHMARK(BM_StreamScanJs16K);

}  // namespace

BENCHMARK_MAIN();
