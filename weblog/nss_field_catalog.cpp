#include "weblog/nss_field_catalog.hpp"

#include <fmt/format.h>

#include <unordered_map>
#include <vector>

#include "text/ascii_text.hpp"
#include "weblog/nss_value_encoding.hpp"

namespace minewall::weblog {
namespace {

using E = FieldEncoding;

constexpr std::string_view kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
constexpr std::string_view kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};

std::string_view none(const RenderInput&, std::string&) {
    return {};
}

// Host part of a scheme-less or absolute URL ("www.a.com/x" → "www.a.com").
std::string_view url_host(std::string_view url) {
    if (const auto scheme = url.find("://"); scheme != std::string_view::npos) {
        url.remove_prefix(scheme + 3);
    }
    return url.substr(0, url.find_first_of("/?#"));
}

// Path part ("www.a.com/x?y" → "/x?y"); empty when there is none.
std::string_view url_path(std::string_view url) {
    if (const auto scheme = url.find("://"); scheme != std::string_view::npos) {
        url.remove_prefix(scheme + 3);
    }
    const auto slash = url.find('/');
    return slash == std::string_view::npos ? std::string_view{} : url.substr(slash);
}

std::string_view strip_port(std::string_view host) {
    if (!host.empty() && host.front() == '[') return host.substr(0, host.find(']') + 1);
    const auto colon = host.rfind(':');
    if (colon != std::string_view::npos && host.find(':') == colon) return host.substr(0, colon);
    return host;
}

std::uint64_t non_negative(std::int64_t v) {
    return v < 0 ? 0 : static_cast<std::uint64_t>(v);
}

class Catalog {
  public:
    Catalog() { build(); }

    const FieldDef* find(std::string_view name) const {
        const auto it = index_.find(name);
        return it == index_.end() ? nullptr : &fields_[it->second];
    }
    std::span<const FieldDef> all() const { return fields_; }

  private:
    void text(std::string_view name, TextGetter get, std::string_view unknown,
              E encoding = E::Raw) {
        add(FieldDef{name, FieldKind::Text, get, nullptr, unknown, encoding, true});
    }
    void number(std::string_view name, NumberGetter get) {
        add(FieldDef{name, FieldKind::Number, nullptr, get, "0", E::Raw, true});
    }
    void unknown_text(std::string_view name, std::string_view unknown, E encoding = E::Raw) {
        add(FieldDef{name, FieldKind::Text, &none, nullptr, unknown, encoding, false});
    }
    void unknown_number(std::string_view name) {
        add(FieldDef{name, FieldKind::Number, nullptr,
                     [](const RenderInput&) -> std::uint64_t { return 0; }, "0", E::Raw, false});
    }
    void add(FieldDef def) {
        index_.emplace(def.name, fields_.size());
        fields_.push_back(def);
    }

    void build();

    std::vector<FieldDef> fields_;
    std::unordered_map<std::string_view, std::size_t> index_;
};

void Catalog::build() {
    fields_.reserve(256);

    // --- Date/Time (rendered in the feed's zone) ---
    text(
        "time",
        [](const RenderInput& in, std::string& s) -> std::string_view {
            const CivilTime& t = in.time;
            // C asctime layout: the day of month is space-padded ("Thu Jan  1 00:00:00 1970").
            s = fmt::format("{} {} {:2} {:02}:{:02}:{:02} {}", kDays[t.weekday],
                            kMonths[t.month - 1], t.day, t.hour, t.minute, t.second, t.year);
            return s;
        },
        "None");
    text(
        "tz",
        [](const RenderInput& in, std::string&) -> std::string_view {
            return in.feed.time_zone_name;
        },
        "GMT");
    number("ss", [](const RenderInput& in) -> std::uint64_t { return in.time.second; });
    number("mm", [](const RenderInput& in) -> std::uint64_t { return in.time.minute; });
    number("hh", [](const RenderInput& in) -> std::uint64_t { return in.time.hour; });
    number("dd", [](const RenderInput& in) -> std::uint64_t { return in.time.day; });
    number("mth", [](const RenderInput& in) -> std::uint64_t { return in.time.month; });
    number("yyyy", [](const RenderInput& in) -> std::uint64_t { return in.time.year; });
    // Not in the current catalog but in every Splunk/Sentinel template; prints 4 digits.
    number("yy", [](const RenderInput& in) -> std::uint64_t { return in.time.year; });
    text(
        "mon",
        [](const RenderInput& in, std::string&) -> std::string_view {
            return kMonths[in.time.month - 1];
        },
        "None");
    text(
        "day",
        [](const RenderInput& in, std::string&) -> std::string_view {
            return kDays[in.time.weekday];
        },
        "None");
    number("epochtime", [](const RenderInput& in) -> std::uint64_t {
        return non_negative(in.time.epoch_seconds);
    });
    number("ctime", [](const RenderInput& in) -> std::uint64_t {
        return non_negative(in.record.client_transaction_ms);
    });
    number("stime", [](const RenderInput& in) -> std::uint64_t {
        return non_negative(in.record.server_transaction_ms);
    });

    // --- User ---
    const TextGetter login = [](const RenderInput& in, std::string&) -> std::string_view {
        return in.record.login;
    };
    text("login", login, "None");
    text("elogin", login, "None", E::Percent);
    text("b64login", login, "None", E::Base64);
    text("ologin", login, "0", E::Obfuscated);
    const TextGetter dept = [](const RenderInput& in, std::string&) -> std::string_view {
        return in.record.department;
    };
    text("dept", dept, "None");
    text("edepartment", dept, "None", E::Percent);
    text("b64dept", dept, "None", E::Base64);
    unknown_text("company", "None");
    unknown_text("cloudname", "None");

    // --- Bandwidth control ---
    unknown_number("throttlereqsize");
    unknown_number("throttlerespsize");
    unknown_text("bwthrottle", "NO");
    unknown_text("bwclassname", "None");
    unknown_text("obwclassname", "0", E::Obfuscated);
    unknown_text("bwrulename", "None");

    // --- Cloud application ---
    for (std::string_view name :
         {"appname", "appclass", "app_risk_score", "activity", "prompt_req", "inst_level1_type",
          "inst_level1_id", "inst_level1_name", "inst_level2_type", "inst_level2_id",
          "inst_level2_name", "inst_level3_type", "inst_level3_id", "inst_level3_name", "module"}) {
        unknown_text(name, "None");
    }
    unknown_text("app_status", "N/A");

    // --- Data center ---
    unknown_text("datacenter", "None");
    unknown_text("datacentercity", "None");
    unknown_text("datacentercountry", "None");

    // --- DLP ---
    for (std::string_view name : {"dlpdict", "dlpdicthitcount", "dlpeng", "dlpmd5",
                                  "trig_dlprulename", "other_dlprulenames", "all_dlprulenames"}) {
        unknown_text(name, "None");
    }
    unknown_number("dlpidentifier");
    unknown_text("dlprulename", "NA");
    unknown_text("odlpdict", "0", E::Obfuscated);
    unknown_text("odlpeng", "0", E::Obfuscated);
    unknown_text("odlprulename", "0", E::Obfuscated);
    unknown_text("b64dlprulename", "None", E::Base64);

    // --- File type control ---
    for (std::string_view name :
         {"ft_rulename", "fileclass", "filetype", "filename", "filesubtype", "upload_fileclass",
          "upload_filetype", "upload_filename", "upload_filesubtype", "upload_doctypename",
          "upload_doc_sub_type", "unscannabletype"}) {
        unknown_text(name, "None");
    }
    unknown_text("efilename", "None", E::Percent);
    unknown_text("b64filename", "None", E::Base64);
    unknown_text("eupload_filename", "None", E::Percent);
    unknown_text("b64upload_filename", "None", E::Base64);

    // --- Forwarding control ---
    for (std::string_view name : {"rdr_rulename", "fwd_type", "fwd_gw_name", "zpa_app_seg_name"}) {
        unknown_text(name, "None");
    }
    unknown_text("fwd_gw_ip", "0.0.0.0");
    unknown_text("ordr_rulename", "0", E::Obfuscated);
    unknown_text("ofwd_gw_name", "0", E::Obfuscated);
    unknown_text("ozpa_app_seg_name", "0", E::Obfuscated);
    unknown_text("b64rdr_rulename", "None", E::Base64);
    unknown_text("b64fwd_gw_name", "None", E::Base64);
    unknown_text("b64zpa_app_seg_name", "None", E::Base64);

    // --- HTTP transaction ---
    number("reqdatasize",
           [](const RenderInput& in) -> std::uint64_t { return in.record.request_body_bytes; });
    number("reqhdrsize",
           [](const RenderInput& in) -> std::uint64_t { return in.record.request_header_bytes; });
    number("reqsize", [](const RenderInput& in) -> std::uint64_t {
        return in.record.request_header_bytes + in.record.request_body_bytes;
    });
    number("respdatasize",
           [](const RenderInput& in) -> std::uint64_t { return in.record.response_body_bytes; });
    number("resphdrsize",
           [](const RenderInput& in) -> std::uint64_t { return in.record.response_header_bytes; });
    number("respsize", [](const RenderInput& in) -> std::uint64_t {
        return in.record.response_header_bytes + in.record.response_body_bytes;
    });
    number("totalsize", [](const RenderInput& in) -> std::uint64_t {
        const WebRecord& r = in.record;
        return r.request_header_bytes + r.request_body_bytes + r.response_header_bytes +
               r.response_body_bytes;
    });
    text(
        "reqmethod",
        [](const RenderInput& in, std::string&) -> std::string_view { return in.record.method; },
        "NA");
    text(
        "reqversion",
        [](const RenderInput& in, std::string&) -> std::string_view {
            return in.record.request_version;
        },
        "None");
    text(
        "respcode",
        [](const RenderInput& in, std::string& s) -> std::string_view {
            if (in.record.status <= 0) return {};
            s = std::to_string(in.record.status);
            return s;
        },
        "NA");
    text(
        "respversion",
        [](const RenderInput& in, std::string&) -> std::string_view {
            return in.record.response_version;
        },
        "None");
    const TextGetter referer = [](const RenderInput& in, std::string&) -> std::string_view {
        return in.record.referer;
    };
    text("referer", referer, "None", E::UrlHex);
    text("ereferer", referer, "None", E::UrlHex);
    text("b64referer", referer, "None", E::Base64);
    const TextGetter referer_host = [](const RenderInput& in, std::string&) -> std::string_view {
        return url_host(in.record.referer);
    };
    text("refererhost", referer_host, "None", E::UrlHex);
    text("erefererhost", referer_host, "None", E::UrlHex);
    text(
        "erefererpath",
        [](const RenderInput& in, std::string&) -> std::string_view {
            return url_path(in.record.referer);
        },
        "None", E::UrlHex);
    unknown_text("uaclass", "None");
    const TextGetter ua = [](const RenderInput& in, std::string&) -> std::string_view {
        return in.record.user_agent;
    };
    text("ua", ua, "None");
    text("eua", ua, "None", E::Percent);
    text("b64ua", ua, "None", E::Base64);
    unknown_text("ua_token", "None");
    const TextGetter host = [](const RenderInput& in, std::string&) -> std::string_view {
        return in.record.host;
    };
    text("host", host, "None", E::UrlHex);
    text("ehost", host, "None", E::UrlHex);
    text("b64host", host, "None", E::Base64);
    const TextGetter url = [](const RenderInput& in, std::string&) -> std::string_view {
        return in.record.url;
    };
    text("url", url, "None", E::UrlHex);
    text("eurl", url, "None", E::UrlHex);
    text("b64url", url, "None", E::Base64);
    text(
        "eurlpath",
        [](const RenderInput& in, std::string&) -> std::string_view {
            return url_path(in.record.url);
        },
        "None", E::UrlHex);
    // Domain fronting: the TLS SNI when the Host header names another host.
    text(
        "df_hostname",
        [](const RenderInput& in, std::string&) -> std::string_view {
            const WebRecord& r = in.record;
            if (r.sni.empty() || r.host.empty()) return {};
            return text::iequals(strip_port(r.host), r.sni) ? std::string_view{}
                                                            : std::string_view{r.sni};
        },
        "None", E::UrlHex);
    unknown_text("df_hosthead", "None");
    text(
        "contenttype",
        [](const RenderInput& in, std::string&) -> std::string_view {
            return in.record.content_type;
        },
        "Other");

    // --- Mobile application ---
    unknown_text("mobappname", "None");
    unknown_text("emobappname", "None", E::Percent);
    unknown_text("b64mobappname", "None", E::Base64);
    unknown_text("mobappcat", "None");
    unknown_text("mobdevtype", "None");

    // --- Network ---
    const TextGetter cip = [](const RenderInput& in, std::string&) -> std::string_view {
        const WebRecord& r = in.record;
        return r.client_forwarded_ip.empty() ? r.client_ip : r.client_forwarded_ip;
    };
    text("cip", cip, "0.0.0.0");
    add(FieldDef{"ocip", FieldKind::Number, nullptr,
                 [](const RenderInput& in) -> std::uint64_t {
                     const WebRecord& r = in.record;
                     const std::string& ip =
                         r.client_forwarded_ip.empty() ? r.client_ip : r.client_forwarded_ip;
                     return ip.empty() ? 0 : obfuscated_number(ip);
                 },
                 "0", E::Raw, true});
    text(
        "cintip",
        [](const RenderInput& in, std::string&) -> std::string_view { return in.record.client_ip; },
        "0.0.0.0");
    unknown_text("cpubip", "0.0.0.0");
    unknown_number("ocpubip");
    number("clt_sport",
           [](const RenderInput& in) -> std::uint64_t { return in.record.client_port; });
    for (std::string_view name :
         {"srcip_country", "dstip_country", "is_src_cntry_risky", "is_dst_cntry_risky"}) {
        unknown_text(name, "None");
    }
    text(
        "sip",
        [](const RenderInput& in, std::string&) -> std::string_view { return in.record.server_ip; },
        "0.0.0.0");
    number("srv_dport", [](const RenderInput& in) -> std::uint64_t { return in.record.port; });
    text(
        "proto",
        [](const RenderInput& in, std::string&) -> std::string_view { return in.record.protocol; },
        "None");
    text(
        "alpnprotocol",
        [](const RenderInput& in, std::string&) -> std::string_view { return in.record.alpn; },
        "N/A");
    unknown_text("trafficredirectmethod", "None");
    const TextGetter location = [](const RenderInput& in, std::string&) -> std::string_view {
        return in.record.location;
    };
    text("location", location, "None");
    text("elocation", location, "None", E::Percent);
    text("b64location", location, "None", E::Base64);
    unknown_text("userlocationname", "None");
    unknown_text("euserlocationname", "Unknown", E::Percent);
    unknown_text("b64userlocationname", "None", E::Base64);

    // --- Policy ---
    text(
        "ruletype",
        [](const RenderInput& in, std::string&) -> std::string_view { return in.record.rule_type; },
        "None");
    const TextGetter rule_label = [](const RenderInput& in, std::string&) -> std::string_view {
        return in.record.rule_label;
    };
    text("rulelabel", rule_label, "None");
    text("erulelabel", rule_label, "None", E::Percent);
    text("b64rulelabel", rule_label, "None", E::Base64);
    text(
        "action",
        [](const RenderInput& in, std::string&) -> std::string_view {
            return in.record.blocked ? "Blocked" : "Allowed";
        },
        "Allowed");
    text(
        "reason",
        [](const RenderInput& in, std::string&) -> std::string_view {
            if (!in.record.reason.empty()) return in.record.reason;
            return in.record.blocked ? "Blocked" : "Allowed";
        },
        "Allowed");
    unknown_text("urlfilterrulelabel", "None");
    unknown_text("eurlfilterrulelabel", "None", E::Percent);
    unknown_text("ourlfilterrulelabel", "0", E::Obfuscated);
    unknown_text("b64urlfilterrulelabel", "None", E::Base64);
    unknown_text("apprulelabel", "None");
    unknown_text("eapprulelabel", "None", E::Percent);
    unknown_text("oapprulelabel", "0", E::Obfuscated);
    unknown_text("b64apprulelabel", "None", E::Base64);

    // --- Sandbox ---
    unknown_text("bamd5", "None");
    unknown_text("sha256", "None");

    // --- SSL ---
    text(
        "ssldecrypted",
        [](const RenderInput& in, std::string&) -> std::string_view {
            return in.record.ssl_decrypted ? "Yes" : "No";
        },
        "No");
    unknown_text("ssl_rulename", "None");
    text(
        "externalspr",
        [](const RenderInput& in, std::string&) -> std::string_view {
            return in.record.ssl_decrypted ? "Inspected" : std::string_view{};
        },
        "NA");
    // minewall's interception CA key is held in software.
    text(
        "keyprotectiontype",
        [](const RenderInput& in, std::string&) -> std::string_view {
            return in.record.ssl_decrypted ? "Software Protection" : std::string_view{};
        },
        "N/A");

    // --- Client connection ---
    unknown_text("clientsslcipher", "None");
    text(
        "clienttlsversion",
        [](const RenderInput& in, std::string&) -> std::string_view {
            return in.record.client_tls_version;
        },
        "None");
    unknown_text("clientsslsessreuse", "UNKNOWN");
    unknown_text("cltsslfailreason", "N/A");
    for (std::string_view name :
         {"cltsslfailcount", "client_tls_keyex_pqc_offers", "client_tls_keyex_non_pqc_offers",
          "client_tls_keyex_hybrid_offers", "client_tls_keyex_unknown_offers",
          "client_tls_sig_pqc_offers", "client_tls_sig_non_pqc_offers",
          "client_tls_sig_hybrid_offers", "client_tls_sig_unknown_offers"}) {
        unknown_number(name);
    }
    unknown_text("client_tls_keyex_alg", "None");
    unknown_text("client_tls_sig_alg", "None");

    // --- Server connection ---
    unknown_text("srvsslcipher", "None");
    text(
        "srvtlsversion",
        [](const RenderInput& in, std::string&) -> std::string_view {
            return in.record.server_tls_version;
        },
        "None");
    for (std::string_view name : {"serversslsessreuse", "srvcertchainvalpass", "srvwildcardcert",
                                  "is_sslselfsigned", "is_sslexpiredca"}) {
        unknown_text(name, "UNKNOWN");
    }
    for (std::string_view name :
         {"srvocspresult", "srvcertvalidationtype", "srvcertvalidityperiod", "is_ssluntrustedca",
          "server_tls_keyex_alg", "server_tls_sig_alg"}) {
        unknown_text(name, "None");
    }

    // --- Threat protection ---
    number("riskscore", [](const RenderInput& in) -> std::uint64_t {
        const int s = in.record.risk_score;
        return s < 0 ? 0 : static_cast<std::uint64_t>(s > 100 ? 100 : s);
    });
    text(
        "threatseverity",
        [](const RenderInput& in, std::string&) -> std::string_view {
            return threat_severity(in.record.risk_score);
        },
        "None");
    const TextGetter threat = [](const RenderInput& in, std::string&) -> std::string_view {
        return in.record.threat_name;
    };
    text("threatname", threat, "None");
    text("ethreatname", threat, "None", E::Percent);
    text("b64threatname", threat, "None", E::Base64);
    text(
        "malwarecat",
        [](const RenderInput& in, std::string&) -> std::string_view {
            return in.record.threat_category;
        },
        "None");
    text(
        "malwareclass",
        [](const RenderInput& in, std::string&) -> std::string_view {
            return in.record.threat_class;
        },
        "None");

    // --- URL categorization ---
    text(
        "urlclass",
        [](const RenderInput& in, std::string&) -> std::string_view { return in.record.url_class; },
        "None");
    text(
        "urlsupercat",
        [](const RenderInput& in, std::string&) -> std::string_view {
            return in.record.url_super_category;
        },
        "None");
    const TextGetter urlcat = [](const RenderInput& in, std::string&) -> std::string_view {
        return in.record.url_category;
    };
    text("urlcat", urlcat, "None");
    text("ourlcat", urlcat, "0", E::Obfuscated);
    text("b64urlcat", urlcat, "None", E::Base64);
    unknown_text("urlcatmethod", "None");

    // --- Device (Client Connector) information ---
    const TextGetter device_host = [](const RenderInput& in, std::string&) -> std::string_view {
        return in.record.device_hostname;
    };
    text("devicehostname", device_host, "NA");
    text("edevicehostname", device_host, "NA", E::Percent);
    text("odevicehostname", device_host, "0", E::Obfuscated);
    const TextGetter owner = [](const RenderInput& in, std::string&) -> std::string_view {
        return in.record.device_owner;
    };
    text("deviceowner", owner, "NA");
    text("odeviceowner", owner, "0", E::Obfuscated);
    unknown_text("devicename", "None");
    unknown_text("edevicename", "None", E::Percent);
    unknown_text("odevicename", "0", E::Obfuscated);
    for (std::string_view name :
         {"devicemodel", "devicetype", "deviceostype", "deviceosversion", "deviceappversion",
          "ztunnelversion", "external_devid", "flow_type"}) {
        unknown_text(name, "None");
    }
    unknown_number("bypassed_traffic");
    unknown_text("bypassed_etime", "Thu Jan  1 00:00:00 1970");

    // --- Miscellaneous ---
    number("recordid", [](const RenderInput& in) -> std::uint64_t { return in.record.record_id; });
    unknown_text("pcapid", "None");
    text(
        "productversion",
        [](const RenderInput& in, std::string&) -> std::string_view {
            return in.feed.product_version;
        },
        "None");
    text(
        "nsssvcip",
        [](const RenderInput& in, std::string&) -> std::string_view { return in.feed.service_ip; },
        "0.0.0.0");
    text(
        "eedone",
        [](const RenderInput& in, std::string&) -> std::string_view {
            return in.escape_chars_encoded ? "Yes" : "No";
        },
        "No");
}

const Catalog& catalog() {
    static const Catalog instance;
    return instance;
}

}  // namespace

const FieldDef* find_nss_field(std::string_view name) {
    return catalog().find(name);
}

std::span<const FieldDef> nss_fields() {
    return catalog().all();
}

std::string_view threat_severity(int risk_score) {
    if (risk_score >= 90) return "Critical";
    if (risk_score >= 75) return "High";
    if (risk_score >= 46) return "Medium";
    if (risk_score >= 1) return "Low";
    return "None";
}

}  // namespace minewall::weblog
