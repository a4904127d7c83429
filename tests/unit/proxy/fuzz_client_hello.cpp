// libFuzzer target fuzz_client_hello (built by tests/fuzz/certs.cmake): the ClientHello parser
// and the first-bytes sniffer on arbitrary bytes, with the invariants the proxy relies on.

#include <cstdint>
#include <cstdlib>
#include <span>

#include "certs/host_name.hpp"
#include "proxy/sniff/client_hello.hpp"
#include "proxy/sniff/protocol_sniffer.hpp"

using namespace minewall::sniff;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::span<const std::uint8_t> bytes(data, size);
    const ClientHelloResult r = parse_client_hello(bytes);

    // What the sniffer calls HTTP or other is never TLS to the parser, and the reverse.
    const FirstBytesKind kind = sniff_first_bytes(bytes);
    if (kind == FirstBytesKind::http && r.status != ClientHelloStatus::not_tls) std::abort();
    if (r.status == ClientHelloStatus::not_tls && kind == FirstBytesKind::tls) std::abort();

    if (r.status == ClientHelloStatus::complete) {
        // The hello fits in what was read, and one byte less is still an unfinished hello.
        if (r.info.record_bytes == 0 || r.info.record_bytes > size) std::abort();
        if (r.info.has_sni == r.info.sni.empty()) std::abort();
        const auto shorter = parse_client_hello(bytes.first(r.info.record_bytes - 1));
        if (shorter.status != ClientHelloStatus::need_more) std::abort();
        // The proxy mints for the SNI: normalizing must not crash whatever it holds.
        if (r.info.has_sni) (void)minewall::certs::normalize_cert_host(r.info.sni);
    } else if (r.status != ClientHelloStatus::need_more && r.error.empty()) {
        std::abort();  // every refusal says why
    }
    return 0;
}
