#include "policy/snapshot.hpp"

#include <algorithm>
#include <atomic>

#include "policy/domain_set.hpp"
#include "policy/ip_set.hpp"
#include "policy/regex_set.hpp"
#include "policy/stratum_detector.hpp"
#include "policy/user_agent_families.hpp"
#include "policy/websocket_pool_detector.hpp"

namespace minewall::policy {
namespace {

// What a matcher entry points to: the rule or feed that listed it.
struct Ref {
    Action action = Action::Block;
    Detector detector = Detector::PoolHost;
    std::string rule;
    std::string feed;
    std::string threat_name;
    int risk_score = 0;
    int clients = -1;  // index into Impl::client_sets; -1 = any client
    FeedCounters* feed_counters = nullptr;
};

struct UrlPattern {
    std::uint32_t ref = 0;
    std::string evidence;
    std::vector<std::string> excluded_hosts;
};

struct UaPattern {
    std::uint32_t ref = 0;
    std::string evidence;
    std::string threat_name;
};

// A candidate match found while evaluating one request. Views into the facts, the snapshot or
// decide()'s scratch strings, all alive until decide() returns: collecting hits allocates nothing.
struct Hit {
    std::uint32_t ref = 0;
    std::string_view evidence;
    std::string_view threat_name;  // overrides the ref's (User-Agent terms)
};

bool host_within(std::string_view host, std::string_view domain) {
    if (host == domain) return true;
    return host.size() > domain.size() && host.ends_with(domain) &&
           host[host.size() - domain.size() - 1] == '.';
}

constexpr std::string_view kRuleStratum = "builtin.stratum";
constexpr std::string_view kRuleWebSocket = "builtin.websocket";
constexpr std::string_view kRuleContent = "builtin.content";
constexpr std::string_view kRuleWasm = "builtin.wasm";
constexpr std::string_view kRuleUserAgent = "builtin.user_agent";

// Every snapshot gets a distinct generation, so per-thread memos keyed by it never serve one
// snapshot's results to another (even one built at a freed snapshot's address).
std::atomic<std::uint64_t> next_generation{1};

// A client sends the same User-Agent on every request, so the last few User-Agents each thread
// evaluated, with the pattern ids they matched, answer most requests without the RE2 pass.
// Same input, same snapshot, same ids: a pure memo, no change to what is detected.
struct UserAgentMemo {
    static constexpr std::size_t kEntries = 4;
    static constexpr std::size_t kMaxLength = 512;  // longer ones are not memoised
    struct Entry {
        std::uint64_t generation = 0;
        std::string user_agent;
        std::vector<int> ids;
    };
    Entry entries[kEntries];
    std::size_t next = 0;

    const std::vector<int>* find(std::uint64_t generation, std::string_view ua) const {
        for (const auto& e : entries)
            if (e.generation == generation && e.user_agent == ua) return &e.ids;
        return nullptr;
    }
    void store(std::uint64_t generation, std::string_view ua, const std::vector<int>& ids) {
        if (ua.size() > kMaxLength) return;
        auto& e = entries[next];
        next = (next + 1) % kEntries;
        e.generation = generation;
        e.user_agent.assign(ua);
        e.ids = ids;
    }
};

}  // namespace

struct Snapshot::Impl {
    PolicyDocument document;
    std::shared_ptr<PolicyCounters> counters;
    SnapshotSummary summary;
    std::uint64_t generation = next_generation.fetch_add(1, std::memory_order_relaxed);

    std::vector<Ref> refs;
    DomainSet domains;
    IpSet ips;
    RegexSet url_set{false};  // patterns carry their own (?i)
    std::vector<UrlPattern> url_patterns;
    RegexSet ua_set{true};
    std::vector<UaPattern> ua_patterns;
    std::vector<std::vector<IpNetwork>> client_sets;
    std::vector<std::uint32_t> client_only_refs;

    std::uint32_t add_ref(Ref r) {
        refs.push_back(std::move(r));
        return static_cast<std::uint32_t>(refs.size() - 1);
    }

    bool client_allowed(const Ref& r, const std::optional<IpBytes>& client) const {
        if (r.clients < 0) return true;
        if (!client) return false;
        for (const auto& net : client_sets[static_cast<std::size_t>(r.clients)])
            if (network_contains(net, *client)) return true;
        return false;
    }

    // `scratch` holds the canonical host when it differs from `raw`; the hits point into it.
    void collect_host(std::string_view raw, std::string& scratch, std::vector<Hit>& hits) const {
        if (raw.empty()) return;
        std::string_view host = canonical_host(raw, scratch);
        if (auto ip = parse_ip_literal(host)) {
            ips.match(*ip, [&](std::uint32_t ref, unsigned) { hits.push_back({ref, host, {}}); });
            return;
        }
        domains.match(host, [&](std::uint32_t ref, std::string_view matched) {
            hits.push_back({ref, matched, {}});
        });
    }

    Verdict verdict_from(const Hit& hit) const {
        const Ref& r = refs[hit.ref];
        if (r.feed_counters) r.feed_counters->matches.fetch_add(1, std::memory_order_relaxed);
        auto& dc = counters->detector(r.detector);
        if (r.action == Action::Block) {
            Finding f{r.detector,   hit.threat_name.empty() ? r.threat_name : hit.threat_name,
                      hit.evidence, r.rule,
                      r.feed,       r.risk_score};
            return block_verdict(f);
        }
        Verdict v;
        v.action = r.action;
        v.rule = r.rule;
        v.feed = r.feed;
        v.detector = std::string(detector_name(r.detector));
        v.evidence = hit.evidence;
        if (r.action == Action::Allow) {
            dc.allowed.fetch_add(1, std::memory_order_relaxed);
            counters->allowed.fetch_add(1, std::memory_order_relaxed);
        } else {
            counters->bypassed.fetch_add(1, std::memory_order_relaxed);
        }
        return v;
    }

    Verdict block_verdict(const Finding& f) const {
        bool monitor = document.mode == PolicyMode::Monitor;
        auto& dc = counters->detector(f.detector);
        (monitor ? dc.monitored : dc.blocked).fetch_add(1, std::memory_order_relaxed);
        (monitor ? counters->monitored : counters->blocked).fetch_add(1, std::memory_order_relaxed);
        return threat_verdict(f, monitor);
    }

    Verdict detection_verdict(const Detection& d, Detector detector, std::string_view rule) const {
        Finding f{detector, d.threat_name,       d.evidence,
                  rule,     vocab::kFeedBuiltin, default_risk_score(detector)};
        return block_verdict(f);
    }

    std::optional<Verdict> detect_bytes(const RequestFacts& facts) const {
        std::string_view bytes = facts.leading_bytes;
        if (bytes.empty()) return std::nullopt;
        const auto& sw = document.detectors;
        switch (facts.stage) {
            case Stage::Tunnel: {
                if (sw.stratum) {
                    auto d = detect_mining_protocol(bytes);
                    if (d.status == ScanStatus::Match)
                        return detection_verdict(d, Detector::Stratum, kRuleStratum);
                }
                if (sw.websocket) {
                    auto d = detect_websocket_pool(bytes);
                    if (d.status == ScanStatus::Match)
                        return detection_verdict(d, Detector::WebSocket, kRuleWebSocket);
                }
                return std::nullopt;
            }
            case Stage::Request: {
                if (!sw.stratum) return std::nullopt;
                auto d = detect_mining_json_body(bytes);
                if (d.status == ScanStatus::Match)
                    return detection_verdict(d, Detector::Stratum, kRuleStratum);
                return std::nullopt;
            }
            case Stage::Response: {
                if (!sw.content && !sw.wasm) return std::nullopt;
                if (!content_type_is_scannable(facts.content_type) &&
                    !WasmExportReader::has_magic(bytes))
                    return std::nullopt;
                ContentScanner scanner(builtin_browser_miner_signatures(),
                                       document.content_scan_limit, sw.content, sw.wasm);
                auto d = scanner.feed(bytes);
                if (d.status == ScanStatus::NeedMore) d = scanner.finish();
                if (d.status != ScanStatus::Match) return std::nullopt;
                bool wasm = d.threat_name.starts_with("CoinMiner.WASM");
                return detection_verdict(d, wasm ? Detector::Wasm : Detector::Content,
                                         wasm ? kRuleWasm : kRuleContent);
            }
            case Stage::Connect:
            case Stage::ClientHello:
                return std::nullopt;
        }
        return std::nullopt;
    }
};

namespace {

void count_entries(SnapshotSummary::Feed& s, const FeedEntries& e) {
    s.domains = e.domains.size();
    s.ips = e.ips.size();
    s.urls = e.urls.size();
    s.user_agents = e.user_agents.size();
    s.exceptions = e.exception_domains.size() + e.exception_urls.size();
    s.issues = e.issues.size();
    s.cosmetic_skipped = e.cosmetic_skipped;
    s.options_ignored = e.options_ignored;
    auto n = std::min(e.issues.size(), SnapshotSummary::kSummaryIssues);
    s.first_issues.assign(e.issues.begin(), e.issues.begin() + static_cast<std::ptrdiff_t>(n));
}

}  // namespace

Snapshot::Snapshot(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Snapshot::~Snapshot() = default;

Snapshot::BuildResult Snapshot::build(const PolicyDocument& document, std::vector<LoadedFeed> feeds,
                                      std::shared_ptr<PolicyCounters> counters) {
    BuildResult result;
    auto impl = std::make_unique<Impl>();
    impl->document = document;
    impl->counters = counters ? std::move(counters) : std::make_shared<PolicyCounters>();
    auto& m = *impl;
    auto& sum = m.summary;
    sum.source = document.source;
    sum.mode = document.mode;
    sum.content_scan_limit = document.content_scan_limit;
    sum.detectors = document.detectors;
    const std::string policy_feed(vocab::kFeedPolicy);

    auto add_url = [&](std::uint32_t ref, const std::string& regex, std::string evidence,
                       std::vector<std::string> excluded, const std::string& where) {
        std::string error;
        auto id = m.url_set.add(regex, &error);
        if (!id) {
            result.errors.push_back(
                {document.source, 0, 0, where + ": URL pattern '" + evidence + "': " + error});
            return;
        }
        m.url_patterns.push_back({ref, std::move(evidence), std::move(excluded)});
        ++sum.url_patterns;
    };
    auto add_ua = [&](std::uint32_t ref, const std::string& pattern, std::string evidence,
                      std::string threat, const std::string& where) {
        std::string error;
        auto id = m.ua_set.add(pattern, &error);
        if (!id) {
            result.errors.push_back(
                {document.source, 0, 0, where + ": User-Agent '" + evidence + "': " + error});
            return;
        }
        m.ua_patterns.push_back({ref, std::move(evidence), std::move(threat)});
    };

    // Size the domain table once: a million-name feed then loads without rehashing.
    {
        std::size_t names = 0, bytes = 0;
        auto count = [&](const std::string& d) {
            ++names;
            bytes += d.size();
        };
        for (const auto& rule : document.rules) {
            for (const auto& d : rule.domains)
                count(d);
            for (const auto& h : rule.hosts)
                count(h);
        }
        for (const auto& feed : feeds) {
            if (feed.origin == "missing") continue;
            for (const auto& d : feed.entries.domains)
                count(d.domain);
            for (const auto& d : feed.entries.exception_domains)
                count(d.domain);
        }
        m.domains.reserve(names, bytes);
    }

    // 1. Rules of the policy file.
    for (const auto& rule : document.rules) {
        ++sum.rules;
        int clients = -1;
        if (!rule.clients.empty()) {
            std::vector<IpNetwork> nets;
            for (const auto& c : rule.clients)
                nets.push_back(*parse_ip_network(c));
            m.client_sets.push_back(std::move(nets));
            clients = static_cast<int>(m.client_sets.size() - 1);
        }
        auto ref_for = [&](Detector d, std::string_view default_threat) {
            return m.add_ref(
                {rule.action, d, rule.id, policy_feed,
                 rule.threat_name.empty() ? std::string(default_threat) : rule.threat_name,
                 rule.risk_score, clients, nullptr});
        };
        std::string where = "rule '" + rule.id + "'";
        if (!rule.domains.empty() || !rule.hosts.empty()) {
            auto ref = ref_for(Detector::PoolHost, threat::kPool);
            for (const auto& d : rule.domains)
                m.domains.add(d, true, ref);
            for (const auto& h : rule.hosts)
                m.domains.add(h, false, ref);
            sum.domains += rule.domains.size();
            sum.hosts += rule.hosts.size();
        }
        if (!rule.ips.empty()) {
            auto ref = ref_for(Detector::PoolIp, threat::kPool);
            for (const auto& ip : rule.ips)
                m.ips.add(*parse_ip_network(ip), ref);
            sum.ips += rule.ips.size();
        }
        if (!rule.urls.empty()) {
            auto ref = ref_for(Detector::MinerUrl, threat::kUrl);
            for (const auto& u : rule.urls)
                add_url(ref, "(?i)" + u, u, {}, where);
        }
        if (!rule.user_agents.empty()) {
            auto ref = ref_for(Detector::UserAgent, "");
            for (const auto& t : rule.user_agents) {
                add_ua(ref, has_term_pattern(t), t,
                       rule.threat_name.empty() ? user_agent_threat_name(t) : rule.threat_name,
                       where);
                ++sum.user_agent_terms;
            }
        }
        if (!rule.has_destination_matchers()) {
            m.client_only_refs.push_back(ref_for(Detector::Client, ""));
            ++sum.client_rules;
        }
    }

    // 2. Feeds.
    for (auto& feed : feeds) {
        const auto& spec = feed.spec;
        FeedCounters* fc = &m.counters->feed(spec.name);
        fc->entries.store(feed.entries.usable(), std::memory_order_relaxed);
        fc->issues.store(feed.entries.issues.size(), std::memory_order_relaxed);
        SnapshotSummary::Feed fs;
        fs.name = spec.name;
        fs.source = spec.source;
        fs.format = std::string(feed_format_name(spec.format));
        fs.action = std::string(action_name(spec.action));
        fs.origin = feed.origin;
        count_entries(fs, feed.entries);
        sum.feeds.push_back(fs);
        if (feed.origin == "missing") {
            result.warnings.push_back(
                "feed '" + spec.name +
                "': no content yet (no cached copy); it applies after its first successful fetch");
            continue;
        }
        if (!feed.entries.issues.empty())
            result.warnings.push_back("feed '" + spec.name +
                                      "': " + std::to_string(feed.entries.issues.size()) +
                                      " unusable line(s) skipped, first at line " +
                                      std::to_string(feed.entries.issues.front().line) + ": " +
                                      feed.entries.issues.front().message);
        auto ref_for = [&](Action action, Detector d, std::string_view default_threat) {
            return m.add_ref(
                {action, d, spec.name, spec.name,
                 spec.threat_name.empty() ? std::string(default_threat) : spec.threat_name, 0, -1,
                 fc});
        };
        std::string where = "feed '" + spec.name + "'";
        auto& e = feed.entries;
        if (!e.domains.empty()) {
            auto ref = ref_for(spec.action, Detector::PoolHost, threat::kPool);
            for (const auto& d : e.domains)
                m.domains.add(d.domain, d.include_subdomains, ref);
            sum.domains += e.domains.size();
        }
        if (!e.exception_domains.empty()) {
            auto ref = ref_for(Action::Allow, Detector::PoolHost, "");
            for (const auto& d : e.exception_domains)
                m.domains.add(d.domain, d.include_subdomains, ref);
            sum.domains += e.exception_domains.size();
        }
        if (!e.ips.empty()) {
            auto ref = ref_for(spec.action, Detector::PoolIp, threat::kPool);
            for (const auto& ip : e.ips)
                m.ips.add(ip.network, ref);
            sum.ips += e.ips.size();
        }
        if (!e.urls.empty()) {
            auto ref = ref_for(spec.action, Detector::MinerUrl, threat::kUrl);
            for (auto& u : e.urls)
                add_url(ref, u.regex, u.source, u.excluded_hosts, where);
        }
        if (!e.exception_urls.empty()) {
            auto ref = ref_for(Action::Allow, Detector::MinerUrl, "");
            for (auto& u : e.exception_urls)
                add_url(ref, u.regex, u.source, u.excluded_hosts, where);
        }
        if (!e.user_agents.empty()) {
            auto ref = ref_for(spec.action, Detector::UserAgent, "");
            for (const auto& t : e.user_agents) {
                add_ua(ref, has_term_pattern(t.term), t.term,
                       spec.threat_name.empty() ? user_agent_threat_name(t.term) : spec.threat_name,
                       where);
                ++sum.user_agent_terms;
            }
        }
    }

    // 3. Built-in User-Agent families (after rules and feeds: a listed term names the threat).
    if (document.detectors.user_agent_families) {
        auto ref = m.add_ref({Action::Block, Detector::UserAgent, std::string(kRuleUserAgent),
                              std::string(vocab::kFeedBuiltin), "", 0, -1, nullptr});
        for (const auto& f : builtin_user_agent_families()) {
            add_ua(ref, std::string(f.pattern), std::string(f.family),
                   user_agent_threat_name(f.family), "built-in families");
            ++sum.builtin_user_agent_families;
        }
    }

    if (!m.url_set.compile())
        result.errors.push_back(
            {document.source, 0, 0, "URL patterns exceed the RE2 memory budget"});
    if (!m.ua_set.compile())
        result.errors.push_back(
            {document.source, 0, 0, "User-Agent patterns exceed the RE2 memory budget"});
    if (!result.errors.empty()) return result;
    result.snapshot = std::shared_ptr<const Snapshot>(new Snapshot(std::move(impl)));
    return result;
}

Verdict Snapshot::decide(const RequestFacts& facts) const {
    const Impl& m = *impl_;
    m.counters->decisions.fetch_add(1, std::memory_order_relaxed);
    thread_local std::vector<Hit> hits;
    thread_local std::vector<int> ids;
    hits.clear();

    // One pass per field.
    std::string host_scratch;
    std::string sni_scratch;
    m.collect_host(facts.host, host_scratch, hits);
    if (!facts.sni.empty() && facts.sni != facts.host) m.collect_host(facts.sni, sni_scratch, hits);
    if (!facts.url.empty() && m.url_set.match(facts.url, ids)) {
        std::string scratch;
        std::string_view host = canonical_host(facts.host, scratch);
        for (int id : ids) {
            const auto& p = m.url_patterns[static_cast<std::size_t>(id)];
            bool excluded = std::any_of(p.excluded_hosts.begin(), p.excluded_hosts.end(),
                                        [&](const std::string& d) { return host_within(host, d); });
            if (!excluded) hits.push_back({p.ref, p.evidence, {}});
        }
    }
    if (!facts.user_agent.empty()) {
        thread_local UserAgentMemo memo;
        const std::vector<int>* ua_ids = memo.find(m.generation, facts.user_agent);
        if (!ua_ids) {
            m.ua_set.match(facts.user_agent, ids);
            memo.store(m.generation, facts.user_agent, ids);
            ua_ids = &ids;
        }
        for (int id : *ua_ids) {
            const auto& p = m.ua_patterns[static_cast<std::size_t>(id)];
            hits.push_back({p.ref, p.evidence, p.threat_name});
        }
    }
    for (auto ref : m.client_only_refs)
        hits.push_back({ref, facts.client_ip, {}});

    std::optional<IpBytes> client;
    if (!m.client_sets.empty() && !facts.client_ip.empty())
        client = parse_ip_literal(facts.client_ip);
    const Hit* allow = nullptr;
    const Hit* block = nullptr;
    const Hit* bypass = nullptr;
    for (const auto& h : hits) {
        const Ref& r = m.refs[h.ref];
        if (!m.client_allowed(r, client)) continue;
        const Hit** slot = r.action == Action::Allow   ? &allow
                           : r.action == Action::Block ? &block
                                                       : &bypass;
        if (!*slot) *slot = &h;
    }
    if (allow) return m.verdict_from(*allow);
    if (block) return m.verdict_from(*block);
    if (auto v = m.detect_bytes(facts)) return *v;
    if (bypass) return m.verdict_from(*bypass);
    m.counters->allowed.fetch_add(1, std::memory_order_relaxed);
    return Verdict{};
}

ContentScanner Snapshot::content_scanner() const {
    const auto& d = impl_->document;
    return ContentScanner(builtin_browser_miner_signatures(), d.content_scan_limit,
                          d.detectors.content, d.detectors.wasm);
}

Verdict Snapshot::verdict_for(const Detection& detection, Detector detector) const {
    if (detection.status != ScanStatus::Match) return Verdict{};
    std::string_view rule = detector == Detector::Wasm        ? kRuleWasm
                            : detector == Detector::Content   ? kRuleContent
                            : detector == Detector::WebSocket ? kRuleWebSocket
                                                              : kRuleStratum;
    return impl_->detection_verdict(detection, detector, rule);
}

PolicyMode Snapshot::mode() const {
    return impl_->document.mode;
}
const SnapshotSummary& Snapshot::summary() const {
    return impl_->summary;
}
const PolicyDocument& Snapshot::document() const {
    return impl_->document;
}
PolicyCounters& Snapshot::counters() const {
    return *impl_->counters;
}

}  // namespace minewall::policy
