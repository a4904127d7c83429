#include "policy/policy_document.hpp"

#include <re2/re2.h>
#include <yaml-cpp/yaml.h>

#include <charconv>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "policy/domain_set.hpp"
#include "policy/embedded_text.hpp"
#include "policy/ip_set.hpp"
#include "text/read_file.hpp"

namespace minewall::policy {
namespace {

// Walks the YAML tree, converting and validating, collecting every error with its position.
class DocumentReader {
  public:
    explicit DocumentReader(std::string source) : source_(std::move(source)) {}

    void error(const YAML::Node& at, std::string message) {
        auto m = at.Mark();
        add(m.is_null() ? 0 : m.line + 1, m.is_null() ? 0 : m.column + 1, std::move(message));
    }
    void add(std::size_t line, std::size_t column, std::string message) {
        errors_.push_back({source_, line, column, std::move(message)});
    }
    std::vector<PolicyError>& errors() { return errors_; }

    // Calls handle(key, value) for each entry; unknown keys are errors.
    template <class Handle>
    void map(const YAML::Node& node, std::string_view what, const std::set<std::string>& known,
             Handle&& handle) {
        if (!node.IsMap()) {
            error(node, std::string(what) + " must be a mapping");
            return;
        }
        for (auto it = node.begin(); it != node.end(); ++it) {
            std::string key;
            if (!it->first.IsScalar()) {
                error(it->first, "keys in " + std::string(what) + " must be plain names");
                continue;
            }
            key = it->first.Scalar();
            if (!known.count(key)) {
                std::string list;
                for (const auto& k : known)
                    list += (list.empty() ? "" : ", ") + k;
                error(it->first, "unknown key '" + key + "' in " + std::string(what) +
                                     " (expected one of: " + list + ")");
                continue;
            }
            handle(key, it->second);
        }
    }

    std::optional<std::string> string(const YAML::Node& node, std::string_view what) {
        if (!node.IsScalar()) {
            error(node, std::string(what) + " must be a string");
            return std::nullopt;
        }
        return node.Scalar();
    }

    std::optional<bool> boolean(const YAML::Node& node, std::string_view what) {
        bool value = false;
        if (!node.IsScalar() || !YAML::convert<bool>::decode(node, value)) {
            error(node, std::string(what) + " must be true or false");
            return std::nullopt;
        }
        return value;
    }

    std::optional<long long> integer(const YAML::Node& node, std::string_view what, long long min,
                                     long long max) {
        long long value = 0;
        if (!node.IsScalar()) {
            error(node, std::string(what) + " must be a number");
            return std::nullopt;
        }
        const auto& s = node.Scalar();
        auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
        if (ec != std::errc{} || p != s.data() + s.size()) {
            error(node, std::string(what) + " must be a whole number, got '" + s + "'");
            return std::nullopt;
        }
        if (value < min || value > max) {
            error(node, std::string(what) + " must be between " + std::to_string(min) + " and " +
                            std::to_string(max));
            return std::nullopt;
        }
        return value;
    }

    // A list of strings; each element is checked by `valid` (returns an error text or "").
    template <class Valid>
    std::vector<std::string> strings(const YAML::Node& node, std::string_view what, Valid&& valid) {
        std::vector<std::string> out;
        if (!node.IsSequence()) {
            error(node, std::string(what) + " must be a list");
            return out;
        }
        for (const auto& element : node) {
            auto s = string(element, std::string(what) + " entries");
            if (!s) continue;
            std::string normalized = *s;
            std::string problem = valid(normalized);
            if (!problem.empty()) {
                error(element, std::string(what) + ": '" + *s + "': " + problem);
                continue;
            }
            out.push_back(std::move(normalized));
        }
        return out;
    }

  private:
    std::string source_;
    std::vector<PolicyError> errors_;
};

std::string valid_domain(std::string& value) {
    std::string why;
    auto d = DomainSet::normalize(value, &why);
    if (!d) return why;
    value = *d;
    return {};
}

std::string valid_network(std::string& value) {
    std::string why;
    return parse_ip_network(value, &why) ? std::string() : why;
}

std::string valid_regex(std::string& value) {
    RE2::Options o;
    o.set_log_errors(false);
    RE2 re(value, o);
    return re.ok() ? std::string() : "not a valid RE2 expression: " + re.error();
}

std::string valid_term(std::string& value) {
    return value.empty() ? "empty User-Agent term" : std::string();
}

std::optional<Action> parse_action(std::string_view s) {
    if (s == "block") return Action::Block;
    if (s == "allow") return Action::Allow;
    if (s == "bypass_inspection") return Action::BypassInspection;
    return std::nullopt;
}

void read_action(DocumentReader& r, const YAML::Node& node, Action& out) {
    auto s = r.string(node, "action");
    if (!s) return;
    if (auto a = parse_action(*s))
        out = *a;
    else
        r.error(node, "action must be block, allow or bypass_inspection, got '" + *s + "'");
}

void read_rule(DocumentReader& r, const YAML::Node& node, std::set<std::string>& ids,
               PolicyDocument& doc) {
    PolicyRule rule;
    rule.line = node.Mark().line + 1;
    bool has_id = false, has_action = false;
    r.map(node, "a rule",
          {"id", "action", "domains", "hosts", "urls", "user_agents", "ips", "clients",
           "threat_name", "risk_score", "description"},
          [&](const std::string& key, const YAML::Node& v) {
              if (key == "id") {
                  if (auto s = r.string(v, "id")) {
                      has_id = true;
                      rule.id = *s;
                      if (rule.id.empty())
                          r.error(v, "rule id must not be empty");
                      else if (!ids.insert(rule.id).second)
                          r.error(v, "duplicate rule id '" + rule.id + "'");
                  }
              } else if (key == "action") {
                  has_action = true;
                  read_action(r, v, rule.action);
              } else if (key == "domains") {
                  rule.domains = r.strings(v, "domains", valid_domain);
              } else if (key == "hosts") {
                  rule.hosts = r.strings(v, "hosts", valid_domain);
              } else if (key == "urls") {
                  rule.urls = r.strings(v, "urls", valid_regex);
              } else if (key == "user_agents") {
                  rule.user_agents = r.strings(v, "user_agents", valid_term);
              } else if (key == "ips") {
                  rule.ips = r.strings(v, "ips", valid_network);
              } else if (key == "clients") {
                  rule.clients = r.strings(v, "clients", valid_network);
              } else if (key == "threat_name") {
                  if (auto s = r.string(v, "threat_name")) rule.threat_name = *s;
              } else if (key == "risk_score") {
                  if (auto n = r.integer(v, "risk_score", 0, 100))
                      rule.risk_score = static_cast<int>(*n);
              } else if (key == "description") {
                  r.string(v, "description");
              }
          });
    if (!node.IsMap()) return;
    if (!has_id) r.error(node, "rule needs an id");
    if (!has_action)
        r.error(node, "rule '" + rule.id + "' needs an action (block, allow or bypass_inspection)");
    if (!rule.has_destination_matchers() && rule.clients.empty())
        r.error(node,
                "rule '" + rule.id +
                    "' matches nothing: give domains, hosts, urls, user_agents, ips or clients");
    if (rule.action == Action::Block && !rule.has_destination_matchers())
        r.error(node, "block rule '" + rule.id +
                          "' needs a destination matcher (blocking a whole client is not a "
                          "cryptomining rule)");
    doc.rules.push_back(std::move(rule));
}

void read_feed(DocumentReader& r, const YAML::Node& node, std::set<std::string>& names,
               PolicyDocument& doc) {
    FeedSpec feed;
    feed.line = node.Mark().line + 1;
    bool has_format = false;
    r.map(
        node, "a feed",
        {"name", "source", "format", "action", "refresh", "subdomains", "category", "threat_name",
         "description"},
        [&](const std::string& key, const YAML::Node& v) {
            if (key == "name") {
                if (auto s = r.string(v, "name")) {
                    feed.name = *s;
                    if (feed.name.empty())
                        r.error(v, "feed name must not be empty");
                    else if (!names.insert(feed.name).second)
                        r.error(v, "duplicate feed name '" + feed.name + "'");
                }
            } else if (key == "source") {
                if (auto s = r.string(v, "source")) {
                    feed.source = *s;
                    if (feed.is_builtin() && feed.source != "builtin:nocoin")
                        r.error(v, "unknown built-in feed '" + feed.source +
                                       "' (available: builtin:nocoin)");
                }
            } else if (key == "format") {
                if (auto s = r.string(v, "format")) {
                    if (auto f = parse_feed_format(*s)) {
                        feed.format = *f;
                        has_format = true;
                    } else {
                        r.error(
                            v,
                            "format must be hosts, domains, adblock, useragent_csv or ips, got '" +
                                *s + "'");
                    }
                }
            } else if (key == "action") {
                read_action(r, v, feed.action);
            } else if (key == "refresh") {
                if (auto s = r.string(v, "refresh")) {
                    auto d = parse_duration(*s);
                    if (!d || d->count() < 60)
                        r.error(v,
                                "refresh must be a duration of at least 60s (e.g. 30m, 24h, 7d)");
                    else
                        feed.refresh = *d;
                }
            } else if (key == "subdomains") {
                if (auto b = r.boolean(v, "subdomains")) feed.include_subdomains = *b;
            } else if (key == "category") {
                if (auto s = r.string(v, "category")) feed.category = *s;
            } else if (key == "threat_name") {
                if (auto s = r.string(v, "threat_name")) feed.threat_name = *s;
            } else if (key == "description") {
                r.string(v, "description");
            }
        });
    if (!node.IsMap()) return;
    if (feed.name.empty()) r.error(node, "feed needs a name");
    if (feed.source.empty())
        r.error(node,
                "feed '" + feed.name + "' needs a source (path, http(s):// URL or builtin:nocoin)");
    if (!has_format) r.error(node, "feed '" + feed.name + "' needs a format");
    if (!feed.is_url() && !feed.is_builtin() && !feed.source.empty()) {
        std::filesystem::path p(feed.source);
        if (p.is_relative() && !doc.base_dir.empty())
            feed.source = (std::filesystem::path(doc.base_dir) / p).string();
    }
    doc.feeds.push_back(std::move(feed));
}

}  // namespace

std::string PolicyError::to_string() const {
    std::ostringstream s;
    s << file;
    if (line) s << ':' << line << ':' << column;
    s << ": " << message;
    return s.str();
}

std::optional<std::chrono::seconds> parse_duration(std::string_view text) {
    if (text.empty()) return std::nullopt;
    long long unit = 1;
    switch (text.back()) {
        case 's':
            unit = 1;
            break;
        case 'm':
            unit = 60;
            break;
        case 'h':
            unit = 3600;
            break;
        case 'd':
            unit = 86400;
            break;
        default:
            unit = 0;
    }
    if (unit)
        text.remove_suffix(1);
    else
        unit = 1;
    long long n = 0;
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (text.empty() || ec != std::errc{} || p != text.data() + text.size() || n < 0 ||
        n > 10LL * 365 * 86400)
        return std::nullopt;
    return std::chrono::seconds(n * unit);
}

std::string_view action_name(Action action) {
    switch (action) {
        case Action::Allow:
            return "allow";
        case Action::Block:
            return "block";
        case Action::BypassInspection:
            return "bypass_inspection";
    }
    return "allow";
}

PolicyDocumentResult parse_policy_document(std::string_view yaml, const std::string& source,
                                           const std::string& base_dir) {
    PolicyDocumentResult result;
    DocumentReader r(source);
    YAML::Node root;
    try {
        root = YAML::Load(std::string(yaml));
    } catch (const YAML::Exception& e) {
        r.add(e.mark.is_null() ? 0 : e.mark.line + 1, e.mark.is_null() ? 0 : e.mark.column + 1,
              "YAML syntax error: " + e.msg);
        result.errors = std::move(r.errors());
        return result;
    }
    PolicyDocument doc;
    doc.source = source;
    doc.base_dir = base_dir;
    if (!root.IsDefined() || root.IsNull()) {
        r.add(1, 1, "the policy is empty");
        result.errors = std::move(r.errors());
        return result;
    }
    std::set<std::string> rule_ids, feed_names;
    r.map(root, "the policy",
          {"version", "mode", "content_scan", "detectors", "feeds", "rules", "feed_cache_dir"},
          [&](const std::string& key, const YAML::Node& v) {
              if (key == "version") {
                  if (auto n = r.integer(v, "version", 1, 1)) (void)n;
              } else if (key == "mode") {
                  if (auto s = r.string(v, "mode")) {
                      if (*s == "enforce")
                          doc.mode = PolicyMode::Enforce;
                      else if (*s == "monitor")
                          doc.mode = PolicyMode::Monitor;
                      else
                          r.error(v, "mode must be enforce or monitor, got '" + *s + "'");
                  }
              } else if (key == "content_scan") {
                  r.map(v, "content_scan", {"limit_bytes"},
                        [&](const std::string&, const YAML::Node& x) {
                            if (auto n = r.integer(x, "content_scan.limit_bytes", 0, 64LL << 20))
                                doc.content_scan_limit = static_cast<std::size_t>(*n);
                        });
              } else if (key == "detectors") {
                  r.map(v, "detectors",
                        {"user_agent_families", "stratum", "content", "wasm", "websocket"},
                        [&](const std::string& k, const YAML::Node& x) {
                            auto b = r.boolean(x, "detectors." + k);
                            if (!b) return;
                            if (k == "user_agent_families")
                                doc.detectors.user_agent_families = *b;
                            else if (k == "stratum")
                                doc.detectors.stratum = *b;
                            else if (k == "content")
                                doc.detectors.content = *b;
                            else if (k == "wasm")
                                doc.detectors.wasm = *b;
                            else if (k == "websocket")
                                doc.detectors.websocket = *b;
                        });
              } else if (key == "feeds") {
                  if (v.IsNull()) return;
                  if (!v.IsSequence()) return r.error(v, "feeds must be a list");
                  for (const auto& f : v)
                      read_feed(r, f, feed_names, doc);
              } else if (key == "rules") {
                  if (v.IsNull()) return;
                  if (!v.IsSequence()) return r.error(v, "rules must be a list");
                  for (const auto& rule : v)
                      read_rule(r, rule, rule_ids, doc);
              } else if (key == "feed_cache_dir") {
                  if (auto s = r.string(v, "feed_cache_dir")) doc.feed_cache_dir = *s;
              }
          });
    result.errors = std::move(r.errors());
    if (result.errors.empty()) result.document = std::move(doc);
    return result;
}

PolicyDocumentResult load_policy_file(const std::string& path) {
    auto file = text::read_file(path);
    if (!file.content) {
        PolicyDocumentResult r;
        r.errors.push_back({path, 0, 0, "cannot read the policy file: " + file.error});
        return r;
    }
    auto dir = std::filesystem::path(path).parent_path().string();
    return parse_policy_document(*file.content, path, dir.empty() ? "." : dir);
}

PolicyDocumentResult load_default_policy() {
    return parse_policy_document(embedded::default_policy_text(), std::string(kDefaultPolicySource),
                                 "");
}

}  // namespace minewall::policy
