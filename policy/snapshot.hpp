#pragma once
// The compiled, immutable policy. decide() is the hot path: one domain look-up per host label,
// one RE2::Set pass for the URL and one for the User-Agent, then the byte detectors for the stage.
// Evaluation order: allow rules (exceptions) first, then block matches, then the stage's byte
// detectors, then bypass_inspection rules, else Allowed.
#include <memory>
#include <string>
#include <vector>

#include "policy/content_scanner.hpp"
#include "policy/detection.hpp"
#include "policy/feed_parser.hpp"
#include "policy/policy_counters.hpp"
#include "policy/policy_document.hpp"
#include "policy/request_facts.hpp"
#include "policy/threat_catalog.hpp"
#include "policy/verdict.hpp"

namespace minewall::policy {

// A feed's parsed content and where it came from.
struct LoadedFeed {
    FeedSpec spec;
    FeedEntries entries;
    std::string origin;  // "builtin", "file", "cache", "network", or "missing"
};

struct SnapshotSummary {
    struct Feed {
        std::string name, source, format, action, origin;
        std::size_t domains = 0, ips = 0, urls = 0, user_agents = 0, exceptions = 0, issues = 0,
                    cosmetic_skipped = 0, options_ignored = 0;
        std::vector<FeedIssue> first_issues;  // up to kSummaryIssues, for `policy stats --issues`
    };
    static constexpr std::size_t kSummaryIssues = 100;
    std::string source;
    PolicyMode mode = PolicyMode::Enforce;
    std::size_t content_scan_limit = 0;
    // Entries per rule type across rules and feeds.
    std::size_t rules = 0, domains = 0, hosts = 0, ips = 0, url_patterns = 0, user_agent_terms = 0,
                client_rules = 0, builtin_user_agent_families = 0;
    DetectorSwitches detectors;
    std::vector<Feed> feeds;
};

class Snapshot {
  public:
    struct BuildResult {
        std::shared_ptr<const Snapshot> snapshot;  // null when errors is not empty
        std::vector<PolicyError> errors;
        std::vector<std::string> warnings;
    };

    static BuildResult build(const PolicyDocument& document, std::vector<LoadedFeed> feeds,
                             std::shared_ptr<PolicyCounters> counters);

    ~Snapshot();
    Snapshot(const Snapshot&) = delete;
    Snapshot& operator=(const Snapshot&) = delete;

    Verdict decide(const RequestFacts& facts) const;

    // Streaming response scan with this policy's limit and detector switches; feed chunks, then
    // turn the result into a verdict with verdict_for().
    ContentScanner content_scanner() const;
    // Verdict for a detection made outside decide() (streaming content, later WebSocket frames).
    // NoMatch/NeedMore give Allowed; Match gives the block (or monitor) verdict and counts it.
    Verdict verdict_for(const Detection& detection, Detector detector) const;

    PolicyMode mode() const;
    const SnapshotSummary& summary() const;
    const PolicyDocument& document() const;
    PolicyCounters& counters() const;

  private:
    struct Impl;
    explicit Snapshot(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace minewall::policy
