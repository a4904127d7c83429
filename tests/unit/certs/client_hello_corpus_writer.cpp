// Writes the checked-in libFuzzer corpus for fuzz_client_hello:
//   client_hello_corpus_writer tests/fuzz/corpus/client_hello
// Real hellos come from OpenSSL through a memory BIO; the rest are crafted. Re-run after changing
// the samples; client_hello_test checks what each file must parse to.

#include <fstream>
#include <iostream>
#include <string>

#include "tests/unit/certs/client_hello_samples.hpp"

using namespace minewall::test;

namespace {

void write(const std::string& dir, const std::string& name, const Bytes& bytes) {
    std::ofstream out(dir + "/" + name, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()),
              static_cast<std::streamsize>(bytes.size()));
    if (!out) throw std::runtime_error("cannot write " + name);
}

Bytes text(const std::string& s) {
    return Bytes(s.begin(), s.end());
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::cerr << "usage: " << argv[0] << " CORPUS_DIR\n";
        return 2;
    }
    const std::string dir = argv[1];
    write(dir, "valid_sni", openssl_client_hello({.sni = "www.example.com"}));
    write(dir, "no_sni", openssl_client_hello({}));
    write(dir, "grease", grease_hello("grease.example.net"));
    write(dir, "tls13_key_share",
          openssl_client_hello({.sni = "tls13.example.org", .alpn = {"http/1.1"}}));
    write(dir, "tls12_only",
          openssl_client_hello({.sni = "legacy.example.org", .tls12_only = true}));
    write(dir, "alpn_h2_http11",
          openssl_client_hello({.sni = "alpn.example.com", .alpn = {"h2", "http/1.1"}}));
    write(dir, "fragmented",
          refragment(openssl_client_hello({.sni = "fragmented.example.com"}), 64));

    CraftedHello unknown;
    unknown.extensions = {{0x7777, {1, 2, 3}},
                          {0x0000, server_name_extension("unknown.example.com")},
                          {0xfe0d, {0, 1, 2, 3}}};
    write(dir, "unknown_extensions", wrap_in_records(unknown.handshake()));

    // Only the headers of a hello declaring 65,540 bytes: rejected before it is read.
    write(dir, "oversize", Bytes{0x16, 0x03, 0x01, 0x40, 0x00, 0x01, 0x01, 0x00, 0x00, 0x03, 0x03});
    write(dir, "not_tls_http",
          text("GET http://example.com/ HTTP/1.1\r\nHost: example.com\r\n\r\n"));
    write(
        dir, "not_tls_stratum",
        text("{\"id\":1,\"jsonrpc\":\"2.0\",\"method\":\"login\",\"params\":{\"login\":\"x\"}}\n"));
    Bytes truncated = openssl_client_hello({.sni = "truncated.example.com"});
    truncated.resize(truncated.size() / 2);
    write(dir, "truncated", truncated);

    CraftedHello duplicate;
    duplicate.extensions = {{0x0017, {}}, {0x0017, {}}};
    write(dir, "duplicate_extension", wrap_in_records(duplicate.handshake()));
    return 0;
}
