// Web-log formatting throughput: every NSS preset compiled once with NssFormat::compile, then
// render(record, out) on a fully filled WebRecord, single thread. Reports records/s and bytes/s.
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "weblog/nss_format.hpp"
#include "weblog/nss_presets.hpp"
#include "weblog/web_record.hpp"

using minewall::weblog::JsonMode;
using minewall::weblog::NssFormat;
using minewall::weblog::NssFormatOptions;
using minewall::weblog::NssPreset;
using minewall::weblog::WebRecord;

namespace {

// An allowed, TLS-inspected browser GET with every field the proxy fills set, so no field takes
// the cheap "None"/"NA" path. The URL and User-Agent carry characters the encoders must escape.
WebRecord realistic_record() {
    WebRecord r;
    r.record_id = 123456789;
    r.instance_id = "7f3a9c2e-51b0-4d7e-9a61-0c2b4f8e1d33";
    r.start_time = WebRecord::Clock::time_point(std::chrono::seconds(1764150000));
    r.client_transaction_ms = 187;
    r.server_transaction_ms = 142;
    r.client_ip = "10.20.30.41";
    r.client_port = 52344;
    r.client_forwarded_ip = "10.20.30.41";
    r.login = "jane.doe@corp.example.com";
    r.department = "Finance";
    r.location = "Paris-HQ";
    r.device_owner = "jdoe";
    r.device_hostname = "FIN-LT-0042";
    r.protocol = "HTTPS";
    r.method = "GET";
    r.url = "www.example.com/search?q=quarterly+report%202026&lang=en|fr&sort=desc";
    r.host = "www.example.com";
    r.port = 443;
    r.referer = "https://www.example.org/start?from=\"portal\"";
    r.user_agent =
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like "
        "Gecko) Chrome/119.0.0.0 Safari/537.36";
    r.request_header_bytes = 812;
    r.request_body_bytes = 0;
    r.request_version = "1.1";
    r.status = 200;
    r.server_ip = "93.184.216.34";
    r.content_type = "text/html; charset=utf-8";
    r.response_header_bytes = 642;
    r.response_body_bytes = 48213;
    r.response_version = "1.1";
    r.blocked = false;
    r.reason = "Allowed";
    r.url_category = "Web Search";
    r.url_super_category = "Information Technology";
    r.url_class = "Business Use";
    r.risk_score = 0;
    r.rule_label = "Default Allow";
    r.rule_type = "URL Filtering";
    r.feed = "builtin";
    r.ssl_decrypted = true;
    r.sni = "www.example.com";
    r.alpn = "h2";
    r.client_tls_version = "TLSv1.3";
    r.server_tls_version = "TLSv1.3";
    return r;
}

void BM_RenderPreset(benchmark::State& state, const NssPreset* preset) {
    NssFormatOptions options;
    options.json = preset->json ? JsonMode::Always : JsonMode::Auto;
    options.product_version = "minewall 0.1.0";
    options.service_ip = "10.0.0.1";
    auto compiled = NssFormat::compile(preset->format, options);
    if (!compiled.format) {
        state.SkipWithError(("compile failed: " + compiled.error).c_str());
        return;
    }
    const NssFormat& format = *compiled.format;
    const WebRecord record = realistic_record();
    std::string out;
    out.reserve(8192);
    std::size_t bytes = 0;
    for (auto _ : state) {
        out.clear();  // the sink reuses one buffer per batch
        format.render(record, out);
        bytes += out.size();
        benchmark::DoNotOptimize(out.data());
        benchmark::ClobberMemory();
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
    state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
    state.counters["line_bytes"] = static_cast<double>(out.size());
    state.counters["fields"] = static_cast<double>(format.field_names().size());
}

}  // namespace

int main(int argc, char** argv) {
    // One benchmark per preset, so new presets are measured without editing this file.
    for (const NssPreset& preset : minewall::weblog::nss_presets())
        benchmark::RegisterBenchmark(("BM_RenderPreset/" + std::string(preset.name)).c_str(),
                                     BM_RenderPreset, &preset);
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
