// Web-log formatting throughput: every NSS preset compiled once with NssFormat::compile, then
// render(record, out) on a fully filled WebRecord, single thread. Reports records/s and bytes/s.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <string>
#include <vector>

#include "weblog/nss_format.hpp"
#include "weblog/nss_presets.hpp"
#include "weblog/web_record.hpp"

// From tests/unit/weblog (include directory set in CMakeLists.txt): the same sample records.
#include "sample_records.hpp"

using minewall::weblog::JsonMode;
using minewall::weblog::NssFormat;
using minewall::weblog::NssFormatOptions;
using minewall::weblog::NssPreset;
using minewall::weblog::WebRecord;

namespace {

// The weblog tests' allowed, inspected HTTPS GET (sample_records.hpp) with every other field the
// proxy fills set too, so no field takes the cheap "None"/"NA" path. The URL, Referer and
// User-Agent carry characters the encoders must escape.
WebRecord realistic_record() {
    WebRecord r = minewall::weblog::test::allowed_https_record(123456789);
    r.instance_id = "7f3a9c2e-51b0-4d7e-9a61-0c2b4f8e1d33";
    r.client_transaction_ms = 187;
    r.server_transaction_ms = 142;
    r.client_forwarded_ip = r.client_ip;
    r.login = "jane.doe@corp.example.com";
    r.department = "Finance";
    r.location = "Paris-HQ";
    r.device_owner = "jdoe";
    r.device_hostname = "FIN-LT-0042";
    r.url = "www.example.com/search?q=quarterly+report%202026&lang=en|fr&sort=desc";
    r.referer = "https://www.example.org/start?from=\"portal\"";
    r.user_agent =
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like "
        "Gecko) Chrome/119.0.0.0 Safari/537.36";
    r.content_type = "text/html; charset=utf-8";
    r.rule_label = "Default Allow";
    r.rule_type = "URL Filtering";
    r.feed = "builtin";
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
