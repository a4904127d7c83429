#include "proxy/http/block_page.hpp"

#include <ctime>
#include <nlohmann/json.hpp>

namespace minewall::proxy {

namespace {

std::string utc_text(std::chrono::system_clock::time_point time) {
    std::time_t t = std::chrono::system_clock::to_time_t(time);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm);
    return buf;
}

std::string or_none(const std::string& s) {
    return s.empty() ? "None" : s;
}

}  // namespace

GeneratedResponse render_block_response(const policy::Verdict& v, const BlockDetails& d,
                                        std::string_view accept) {
    GeneratedResponse r;
    r.status = 403;
    const std::string when = utc_text(d.time);
    if (accepts_html(accept)) {
        r.content_type = "text/html; charset=utf-8";
        r.body =
            "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Blocked by "
            "minewall</title></head>\n<body style=\"font-family:sans-serif;margin:2em;"
            "max-width:50em\">\n<h1>This request was blocked</h1>\n<p>minewall stopped a "
            "request that matches its cryptomining threat policy.</p>\n<table>\n"
            "<tr><th align=\"left\">Address</th><td>" +
            html_escape(d.url) + "</td></tr>\n<tr><th align=\"left\">Reason</th><td>" +
            html_escape(v.reason) + "</td></tr>\n<tr><th align=\"left\">Threat</th><td>" +
            html_escape(or_none(v.threat_name)) +
            "</td></tr>\n<tr><th align=\"left\">Category</th><td>" + html_escape(v.url_category) +
            "</td></tr>\n<tr><th align=\"left\">Transaction</th><td>" +
            html_escape(d.transaction_id) + "</td></tr>\n<tr><th align=\"left\">Time</th><td>" +
            html_escape(when) +
            "</td></tr>\n</table>\n<p>If you think this is a mistake, give the transaction id "
            "to your security team.</p>\n</body></html>\n";
    } else if (accept.find("application/json") != std::string_view::npos) {
        r.content_type = "application/json";
        nlohmann::json j = {{"blocked", true},
                            {"url", d.url},
                            {"reason", v.reason},
                            {"threatname", v.threat_name},
                            {"urlcategory", v.url_category},
                            {"transaction", d.transaction_id},
                            {"time", when}};
        r.body = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    } else {
        r.content_type = "text/plain; charset=utf-8";
        r.body = "403 Blocked by minewall\nurl: " + d.url + "\nreason: " + v.reason +
                 "\nthreat: " + or_none(v.threat_name) + "\ncategory: " + v.url_category +
                 "\ntransaction: " + d.transaction_id + "\ntime: " + when + "\n";
    }
    return r;
}

policy::RequestFacts facts_from_record(policy::Stage stage, const weblog::WebRecord& rec,
                                       std::string url) {
    policy::RequestFacts facts;
    facts.stage = stage;
    facts.client_ip = rec.client_forwarded_ip.empty() ? rec.client_ip : rec.client_forwarded_ip;
    facts.user = rec.login;
    facts.host = rec.host;
    facts.port = rec.port;
    facts.method = rec.method;
    facts.url = std::move(url);
    facts.user_agent = rec.user_agent;
    return facts;
}

void apply_verdict(const policy::Verdict& v, weblog::WebRecord& rec) {
    rec.blocked = v.blocks();
    rec.reason = v.reason;
    rec.url_category = v.url_category;
    rec.url_super_category = v.url_super_category;
    rec.url_class = v.url_class;
    rec.threat_name = v.threat_name;
    rec.threat_category = v.threat_category;
    rec.threat_class = v.threat_class;
    rec.risk_score = v.risk_score;
    rec.rule_label = v.rule;
    rec.rule_type = v.rule_type;
    rec.feed = v.feed;
}

}  // namespace minewall::proxy
