#include "config/config_loader.hpp"

#include <yaml-cpp/yaml.h>

#include <charconv>
#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <sstream>

#include "text/read_file.hpp"

namespace minewall::config {

std::string ConfigError::to_string() const {
    std::ostringstream out;
    out << file;
    if (line > 0) out << ':' << line << ':' << column;
    out << ": " << message;
    return out.str();
}

std::optional<Millis> parse_duration(std::string_view text) {
    std::int64_t value = 0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || ptr == text.data() || value < 0) return std::nullopt;
    std::string_view unit(ptr, static_cast<std::size_t>(text.data() + text.size() - ptr));
    if (unit == "ms") return Millis{value};
    if (unit == "s") return Millis{value * 1000};
    if (unit == "m") return Millis{value * 60'000};
    if (unit == "h") return Millis{value * 3'600'000};
    return std::nullopt;
}

std::optional<ListenerConfig> parse_listen_spec(std::string_view text, bool allow_any_port) {
    ListenerConfig listener;
    std::string_view host;
    std::string_view port_text;
    if (!text.empty() && text.front() == '[') {
        auto close = text.find(']');
        if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':')
            return std::nullopt;
        host = text.substr(1, close - 1);
        port_text = text.substr(close + 2);
    } else {
        auto colon = text.rfind(':');
        if (colon == std::string_view::npos) return std::nullopt;
        host = text.substr(0, colon);
        port_text = text.substr(colon + 1);
        if (host.find(':') != std::string_view::npos) return std::nullopt;  // v6 needs [ ]
    }
    unsigned port = 0;
    auto [ptr, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc{} || ptr != port_text.data() + port_text.size() ||
        (port == 0 && !allow_any_port) || port > 65535 || port_text.empty())
        return std::nullopt;
    if (!host.empty()) {
        if (!parse_ip(host)) return std::nullopt;
        listener.address = std::string(host);
    }
    listener.port = static_cast<std::uint16_t>(port);
    return listener;
}

namespace {

// Walks one YAML document into a Config, collecting errors with positions.
class ConfigReader {
  public:
    explicit ConfigReader(std::string file) : file_(std::move(file)) {}

    std::vector<ConfigError>& errors() { return errors_; }

    void error_at(const YAML::Node& node, const std::string& message) {
        auto mark = node.Mark();
        errors_.push_back({file_, mark.line + 1, mark.column + 1, message});
    }
    void error_at(const YAML::Mark& mark, const std::string& message) {
        errors_.push_back({file_, mark.line + 1, mark.column + 1, message});
    }

    using FieldReader = std::function<void(const YAML::Node&)>;

    // Reads a mapping whose keys must all be known.
    void read_map(const YAML::Node& node, const std::string& where,
                  const std::map<std::string, FieldReader>& fields) {
        if (node.IsNull()) return;
        if (!node.IsMap()) {
            error_at(node, where + " must be a mapping");
            return;
        }
        for (const auto& item : node) {
            auto key = item.first.as<std::string>();
            auto it = fields.find(key);
            if (it == fields.end()) {
                error_at(item.first, "unknown key '" + key + "' in " + where);
                continue;
            }
            it->second(item.second);
        }
    }

    std::optional<std::string> scalar(const YAML::Node& node, const std::string& name) {
        if (!node.IsScalar() && !node.IsNull()) {
            error_at(node, name + " must be a scalar value");
            return std::nullopt;
        }
        return node.IsNull() ? std::string() : node.Scalar();
    }

    template <typename Int>
    void read_uint(const YAML::Node& node, const std::string& name, Int& out, Int min_value = 0) {
        auto text = scalar(node, name);
        if (!text) return;
        std::uint64_t value = 0;
        auto [ptr, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
        if (ec != std::errc{} || ptr != text->data() + text->size() || text->empty() ||
            value > std::numeric_limits<Int>::max() || value < min_value) {
            error_at(node, name + " must be a whole number from " + std::to_string(min_value) +
                               " to " + std::to_string(std::numeric_limits<Int>::max()) +
                               ", got '" + *text + "'");
            return;
        }
        out = static_cast<Int>(value);
    }

    void read_duration(const YAML::Node& node, const std::string& name, Millis& out) {
        auto text = scalar(node, name);
        if (!text) return;
        auto value = parse_duration(*text);
        if (!value || value->count() == 0) {
            error_at(node, name +
                               " must be a positive duration such as 500ms, 10s, 5m or 1h, got '" +
                               *text + "'");
            return;
        }
        out = *value;
    }

    void read_string(const YAML::Node& node, const std::string& name, std::string& out) {
        if (auto text = scalar(node, name)) out = *text;
    }

    template <typename Fn>
    void read_sequence(const YAML::Node& node, const std::string& name, Fn&& each) {
        if (node.IsNull()) return;
        if (!node.IsSequence()) {
            error_at(node, name + " must be a list");
            return;
        }
        for (const auto& item : node)
            each(item);
    }

    void read_listener(const YAML::Node& node, ListenerConfig& out) {
        read_map(node, "listeners entry",
                 {{"address",
                   [&](const YAML::Node& n) {
                       std::string address;
                       read_string(n, "listeners.address", address);
                       if (!parse_ip(address))
                           error_at(
                               n, "listeners.address must be an IP address, got '" + address + "'");
                       else
                           out.address = address;
                   }},
                  {"port",
                   [&](const YAML::Node& n) {
                       read_uint<std::uint16_t>(n, "listeners.port", out.port, 1);
                   }},
                  {"mode", [&](const YAML::Node& n) {
                       std::string mode;
                       read_string(n, "listeners.mode", mode);
                       if (mode == "explicit")
                           out.mode = ListenerMode::Explicit;
                       else
                           error_at(n, "listeners.mode must be 'explicit', got '" + mode + "'");
                   }}});
    }

    void read_bool(const YAML::Node& node, const std::string& name, bool& out) {
        auto text = scalar(node, name);
        if (!text) return;
        if (*text == "true" || *text == "yes" || *text == "on")
            out = true;
        else if (*text == "false" || *text == "no" || *text == "off")
            out = false;
        else
            error_at(node, name + " must be true or false, got '" + *text + "'");
    }

    void read_feed(const YAML::Node& node, WeblogFeedConfig& f) {
        f.line = node.Mark().line + 1;
        auto str = [&](const char* key, std::string& out) {
            return std::pair<std::string, FieldReader>{
                key, [&, key](const YAML::Node& v) {
                    read_string(v, std::string("weblog.feeds.") + key, out);
                }};
        };
        read_map(node, "weblog.feeds entry",
                 {str("name", f.name),
                  str("preset", f.preset),
                  str("format", f.format),
                  str("destination", f.destination),
                  str("token", f.token),
                  str("escape_chars", f.escape_chars),
                  str("time_zone", f.time_zone),
                  str("ca_file", f.ca_file),
                  {"rotate_max_bytes",
                   [&](const YAML::Node& v) {
                       read_uint<std::uint64_t>(v, "weblog.feeds.rotate_max_bytes",
                                                f.rotate_max_bytes);
                   }},
                  {"rotate_daily",
                   [&](const YAML::Node& v) {
                       read_bool(v, "weblog.feeds.rotate_daily", f.rotate_daily);
                   }},
                  {"keep_files",
                   [&](const YAML::Node& v) {
                       read_uint<unsigned>(v, "weblog.feeds.keep_files", f.keep_files, 1);
                   }},
                  {"framing",
                   [&](const YAML::Node& v) {
                       std::string framing;
                       read_string(v, "weblog.feeds.framing", framing);
                       if (framing == "newline")
                           f.octet_counting = false;
                       else if (framing == "octet-counting")
                           f.octet_counting = true;
                       else
                           error_at(v,
                                    "weblog.feeds.framing must be newline or octet-counting, "
                                    "got '" +
                                        framing + "'");
                   }},
                  {"verify",
                   [&](const YAML::Node& v) { read_bool(v, "weblog.feeds.verify", f.verify); }}});
        if (f.destination.empty()) error_at(node, "weblog.feeds entry needs a destination");
        if (f.preset.empty() && f.format.empty())
            error_at(node, "weblog.feeds entry needs a preset or a format");
    }

    void read_string_list(const YAML::Node& node, const std::string& name,
                          std::vector<std::string>& out) {
        out.clear();
        read_sequence(node, name, [&](const YAML::Node& item) {
            std::string text;
            read_string(item, name + " entry", text);
            if (!text.empty()) out.push_back(text);
        });
    }

    void read_tls(const YAML::Node& node, TlsConfig& t) {
        read_map(
            node, "tls",
            {{"intercept",
              [&](const YAML::Node& v) { read_bool(v, "tls.intercept", t.intercept); }},
             {"ca_dir", [&](const YAML::Node& v) { read_string(v, "tls.ca_dir", t.ca_dir); }},
             {"upstream_ca_file",
              [&](const YAML::Node& v) {
                  read_string(v, "tls.upstream_ca_file", t.upstream_ca_file);
              }},
             {"splice_domains",
              [&](const YAML::Node& v) {
                  read_string_list(v, "tls.splice_domains", t.splice_domains);
              }},
             {"splice_without_sni",
              [&](const YAML::Node& v) {
                  read_bool(v, "tls.splice_without_sni", t.splice_without_sni);
              }},
             {"verify_exceptions",
              [&](const YAML::Node& v) {
                  read_string_list(v, "tls.verify_exceptions", t.verify_exceptions);
              }},
             {"ca_cert_file",
              [&](const YAML::Node& v) { read_string(v, "tls.ca_cert_file", t.ca_cert_file); }},
             {"ca_key_file",
              [&](const YAML::Node& v) { read_string(v, "tls.ca_key_file", t.ca_key_file); }},
             {"ca_chain_file",
              [&](const YAML::Node& v) { read_string(v, "tls.ca_chain_file", t.ca_chain_file); }},
             {"pinned_relief",
              [&](const YAML::Node& v) { read_pinned_relief(v, t.pinned_relief); }},
             {"leaf_cache_size", [&](const YAML::Node& v) {
                  read_uint<std::size_t>(v, "tls.leaf_cache_size", t.leaf_cache_size, 1);
              }}});
        if (t.ca_cert_file.empty() != t.ca_key_file.empty())
            error_at(node, "tls.ca_cert_file and tls.ca_key_file must be set together");
        if (!t.ca_cert_file.empty() && !t.ca_dir.empty())
            error_at(node, "tls.ca_dir and tls.ca_cert_file/ca_key_file exclude each other");
        if (!t.ca_chain_file.empty() && t.ca_cert_file.empty() && t.ca_dir.empty())
            error_at(node,
                     "tls.ca_chain_file belongs to a configured CA (tls.ca_dir or "
                     "tls.ca_cert_file): the CA minewall creates itself has no chain");
    }

    void read_failed_logins(const YAML::Node& node, FailedLoginConfig& f) {
        const std::string where = "identity.failed_logins";
        read_map(
            node, where,
            {{"limit",
              [&](const YAML::Node& v) { read_uint<unsigned>(v, where + ".limit", f.limit, 1); }},
             {"window",
              [&](const YAML::Node& v) { read_duration(v, where + ".window", f.window); }},
             {"lockout",
              [&](const YAML::Node& v) { read_duration(v, where + ".lockout", f.lockout); }}});
    }

    void read_pinned_relief(const YAML::Node& node, PinnedReliefConfig& r) {
        const std::string where = "tls.pinned_relief";
        read_map(
            node, where,
            {{"enabled", [&](const YAML::Node& v) { read_bool(v, where + ".enabled", r.enabled); }},
             {"failures",
              [&](const YAML::Node& v) {
                  read_uint<unsigned>(v, where + ".failures", r.failures, 1);
              }},
             {"window",
              [&](const YAML::Node& v) { read_duration(v, where + ".window", r.window); }},
             {"splice_ttl", [&](const YAML::Node& v) {
                  read_duration(v, where + ".splice_ttl", r.splice_ttl);
              }}});
    }

    void read_weblog(const YAML::Node& node, WeblogConfig& w) {
        read_map(node, "weblog",
                 {{"feeds",
                   [&](const YAML::Node& n) {
                       w.feeds.clear();
                       read_sequence(n, "weblog.feeds", [&](const YAML::Node& item) {
                           WeblogFeedConfig feed;
                           read_feed(item, feed);
                           w.feeds.push_back(feed);
                       });
                   }},
                  {"queue_records", [&](const YAML::Node& v) {
                       read_uint<std::size_t>(v, "weblog.queue_records", w.queue_records, 1);
                   }}});
    }

    Config read(const YAML::Node& root) {
        Config c;
        if (root.IsNull()) return c;  // an empty file is valid
        read_map(
            root, "the configuration",
            {{"listeners",
              [&](const YAML::Node& n) {
                  c.listeners.clear();
                  read_sequence(n, "listeners", [&](const YAML::Node& item) {
                      ListenerConfig listener;
                      read_listener(item, listener);
                      c.listeners.push_back(listener);
                  });
              }},
             {"allowed_clients",
              [&](const YAML::Node& n) {
                  c.allowed_clients.clear();
                  read_sequence(n, "allowed_clients", [&](const YAML::Node& item) {
                      std::string text;
                      read_string(item, "allowed_clients entry", text);
                      if (auto cidr = Cidr::parse(text))
                          c.allowed_clients.push_back(*cidr);
                      else
                          error_at(item,
                                   "allowed_clients entry must be an address or CIDR such as "
                                   "10.0.0.0/8, got '" +
                                       text + "'");
                  });
              }},
             {"connect_ports",
              [&](const YAML::Node& n) {
                  c.connect_ports.clear();
                  read_sequence(n, "connect_ports", [&](const YAML::Node& item) {
                      std::uint16_t port = 0;
                      read_uint<std::uint16_t>(item, "connect_ports entry", port, 1);
                      if (port) c.connect_ports.push_back(port);
                  });
              }},
             {"state_dir", [&](const YAML::Node& n) { read_string(n, "state_dir", c.state_dir); }},
             {"log_level",
              [&](const YAML::Node& n) {
                  read_string(n, "log_level", c.log_level);
                  static const char* levels[] = {"trace", "debug",    "info", "warn",
                                                 "error", "critical", "off"};
                  bool known = false;
                  for (auto* l : levels)
                      known = known || c.log_level == l;
                  if (!known)
                      error_at(n,
                               "log_level must be one of trace, debug, info, warn, error, "
                               "critical, off; got '" +
                                   c.log_level + "'");
              }},
             {"worker_threads",
              [&](const YAML::Node& n) {
                  read_uint<unsigned>(n, "worker_threads", c.worker_threads);
                  if (c.worker_threads > 256) error_at(n, "worker_threads must be at most 256");
              }},
             {"upstream",
              [&](const YAML::Node& n) {
                  read_map(n, "upstream",
                           {{"connect_timeout",
                             [&](const YAML::Node& v) {
                                 read_duration(v, "upstream.connect_timeout",
                                               c.upstream.connect_timeout);
                             }},
                            {"idle_timeout",
                             [&](const YAML::Node& v) {
                                 read_duration(v, "upstream.idle_timeout", c.upstream.idle_timeout);
                             }},
                            {"pool_idle_timeout",
                             [&](const YAML::Node& v) {
                                 read_duration(v, "upstream.pool_idle_timeout",
                                               c.upstream.pool_idle_timeout);
                             }},
                            {"dns_cache_ttl",
                             [&](const YAML::Node& v) {
                                 read_duration(v, "upstream.dns_cache_ttl",
                                               c.upstream.dns_cache_ttl);
                             }},
                            {"pool_max_idle_per_host", [&](const YAML::Node& v) {
                                 read_uint<std::size_t>(v, "upstream.pool_max_idle_per_host",
                                                        c.upstream.pool_max_idle_per_host);
                             }}});
              }},
             {"client",
              [&](const YAML::Node& n) {
                  read_map(n, "client",
                           {{"header_timeout",
                             [&](const YAML::Node& v) {
                                 read_duration(v, "client.header_timeout", c.client.header_timeout);
                             }},
                            {"keepalive_timeout",
                             [&](const YAML::Node& v) {
                                 read_duration(v, "client.keepalive_timeout",
                                               c.client.keepalive_timeout);
                             }},
                            {"body_idle_timeout", [&](const YAML::Node& v) {
                                 read_duration(v, "client.body_idle_timeout",
                                               c.client.body_idle_timeout);
                             }}});
              }},
             {"tunnel",
              [&](const YAML::Node& n) {
                  read_map(n, "tunnel", {{"idle_timeout", [&](const YAML::Node& v) {
                                              read_duration(v, "tunnel.idle_timeout",
                                                            c.tunnel.idle_timeout);
                                          }}});
              }},
             {"limits",
              [&](const YAML::Node& n) {
                  read_map(n, "limits",
                           {{"max_connections",
                             [&](const YAML::Node& v) {
                                 read_uint<std::size_t>(v, "limits.max_connections",
                                                        c.limits.max_connections, 1);
                             }},
                            {"max_header_bytes", [&](const YAML::Node& v) {
                                 read_uint<std::size_t>(v, "limits.max_header_bytes",
                                                        c.limits.max_header_bytes, 1024);
                             }}});
              }},
             {"weblog", [&](const YAML::Node& n) { read_weblog(n, c.weblog); }},
             {"tls", [&](const YAML::Node& n) { read_tls(n, c.tls); }},
             {"identity",
              [&](const YAML::Node& n) {
                  read_map(
                      n, "identity",
                      {{"users_file",
                        [&](const YAML::Node& v) {
                            read_string(v, "identity.users_file", c.identity.users_file);
                        }},
                       {"realm",
                        [&](const YAML::Node& v) {
                            read_string(v, "identity.realm", c.identity.realm);
                        }},
                       {"map_file",
                        [&](const YAML::Node& v) {
                            read_string(v, "identity.map_file", c.identity.map_file);
                        }},
                       {"failed_logins",
                        [&](const YAML::Node& v) {
                            read_failed_logins(v, c.identity.failed_logins);
                        }},
                       {"trusted_forwarders", [&](const YAML::Node& v) {
                            c.identity.trusted_forwarders.clear();
                            read_sequence(
                                v, "identity.trusted_forwarders", [&](const YAML::Node& item) {
                                    std::string text;
                                    read_string(item, "identity.trusted_forwarders entry", text);
                                    if (auto cidr = Cidr::parse(text))
                                        c.identity.trusted_forwarders.push_back(*cidr);
                                    else
                                        error_at(item,
                                                 "identity.trusted_forwarders entry must be an "
                                                 "address or CIDR, got '" +
                                                     text + "'");
                                });
                        }}});
              }},
             {"policy",
              [&](const YAML::Node& n) {
                  read_map(
                      n, "policy",
                      {{"file",
                        [&](const YAML::Node& v) { read_string(v, "policy.file", c.policy.file); }},
                       {"check_interval", [&](const YAML::Node& v) {
                            read_duration(v, "policy.check_interval", c.policy.check_interval);
                        }}});
              }},
             {"shutdown", [&](const YAML::Node& n) {
                  read_map(n, "shutdown", {{"drain_timeout", [&](const YAML::Node& v) {
                                                read_duration(v, "shutdown.drain_timeout",
                                                              c.shutdown.drain_timeout);
                                            }}});
              }}});
        if (c.listeners.empty()) errors_.push_back({file_, 0, 0, "listeners must not be empty"});
        return c;
    }

  private:
    std::string file_;
    std::vector<ConfigError> errors_;
};

}  // namespace

ConfigLoadResult load_config_text(std::string_view yaml_text, const std::string& file_name) {
    ConfigLoadResult result;
    YAML::Node root;
    try {
        root = YAML::Load(std::string(yaml_text));
    } catch (const YAML::Exception& e) {
        result.errors.push_back({file_name, e.mark.line + 1, e.mark.column + 1, e.msg});
        return result;
    }
    ConfigReader reader(file_name);
    Config config;
    try {
        config = reader.read(root);
    } catch (const YAML::Exception& e) {
        reader.error_at(e.mark, e.msg);
    }
    result.errors = std::move(reader.errors());
    if (result.errors.empty()) result.config = std::move(config);
    return result;
}

ConfigLoadResult load_config_file(const std::string& path) {
    auto file = text::read_file(path);
    if (!file.content) {
        ConfigLoadResult result;
        result.errors.push_back({path, 0, 0, "cannot read the file: " + file.error});
        return result;
    }
    return load_config_text(*file.content, path);
}

Config embedded_default_config() {
    auto result = load_config_text(embedded_default_config_text(), "<embedded default>");
    // The embedded text is tested; failing here is a build defect, not a user error.
    if (!result.ok()) throw std::logic_error(result.errors.front().to_string());
    return *result.config;
}

}  // namespace minewall::config
