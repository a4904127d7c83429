#include "proxy/sniff/client_hello.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <string>

#include "certs/certificate_authority.hpp"
#include "certs/leaf_issuer.hpp"
#include "certs/openssl_handles.hpp"
#include "tests/unit/certs/client_hello_samples.hpp"
#include "tests/unit/certs/memory_tls_handshake.hpp"

using minewall::test::Bytes;
using namespace minewall::sniff;

namespace {

ClientHelloResult parse(const Bytes& bytes) {
    return parse_client_hello(bytes);
}

Bytes bytes_of(const std::string& text) {
    return Bytes(text.begin(), text.end());
}

Bytes read_corpus(const std::string& name) {
    std::ifstream in(std::string(MINEWALL_CLIENT_HELLO_CORPUS) + "/" + name, std::ios::binary);
    REQUIRE_MESSAGE(in.good(), "missing corpus file " << name);
    return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

bool contains(const std::vector<std::uint16_t>& values, std::uint16_t v) {
    return std::find(values.begin(), values.end(), v) != values.end();
}

}  // namespace

TEST_CASE("reads sni, alpn and versions from an OpenSSL TLS 1.3 hello") {
    const Bytes hello = minewall::test::openssl_client_hello(
        {.sni = "Pool.Example.COM", .alpn = {"h2", "http/1.1"}});
    const auto r = parse(hello);
    REQUIRE(r.status == ClientHelloStatus::complete);
    CHECK(r.info.has_sni);
    CHECK(r.info.sni == "pool.example.com");
    CHECK(r.info.alpn == std::vector<std::string>{"h2", "http/1.1"});
    CHECK(contains(r.info.supported_versions, 0x0304));
    CHECK(r.info.max_version() == 0x0304);
    CHECK(r.info.legacy_version == 0x0303);
    CHECK(r.info.has_key_share);
    CHECK_FALSE(r.info.has_pre_shared_key);
    CHECK_FALSE(r.info.has_grease);
    CHECK(r.info.cipher_count > 3);
    CHECK(r.info.record_bytes == hello.size());
}

TEST_CASE("reports no sni when the client sends none") {
    const auto r = parse(minewall::test::openssl_client_hello({}));
    REQUIRE(r.status == ClientHelloStatus::complete);
    CHECK_FALSE(r.info.has_sni);
    CHECK(r.info.sni.empty());
    CHECK(r.info.alpn.empty());
}

TEST_CASE("parses a TLS 1.2-only hello without supported_versions") {
    const auto r =
        parse(minewall::test::openssl_client_hello({.sni = "a.example", .tls12_only = true}));
    REQUIRE(r.status == ClientHelloStatus::complete);
    CHECK(r.info.supported_versions.empty());
    CHECK(r.info.max_version() == 0x0303);
    CHECK_FALSE(r.info.has_key_share);
}

TEST_CASE("asks for more bytes at every cut of a valid hello") {
    const Bytes hello = minewall::test::openssl_client_hello({.sni = "cut.example"});
    for (std::size_t n = 0; n < hello.size(); ++n) {
        const auto r = parse_client_hello(std::span(hello.data(), n));
        INFO("prefix of " << n << " bytes: " << r.error);
        REQUIRE(r.status == ClientHelloStatus::need_more);
    }
    CHECK(parse(hello).status == ClientHelloStatus::complete);
}

TEST_CASE("reassembles a hello fragmented over many records") {
    const Bytes single =
        minewall::test::openssl_client_hello({.sni = "frag.example", .alpn = {"http/1.1"}});
    for (std::size_t fragment : {1u, 7u, 100u, 200u}) {
        const Bytes split = minewall::test::refragment(single, fragment);
        const auto r = parse(split);
        INFO("fragment " << fragment);
        REQUIRE(r.status == ClientHelloStatus::complete);
        CHECK(r.info.sni == "frag.example");
        CHECK(r.info.alpn == std::vector<std::string>{"http/1.1"});
        CHECK(r.info.record_bytes == split.size());
        // Every cut of the fragmented stream is still a valid prefix.
        for (std::size_t n = 0; n < split.size(); n += 13) {
            REQUIRE(parse_client_hello(std::span(split.data(), n)).status ==
                    ClientHelloStatus::need_more);
        }
    }
}

TEST_CASE("counts only the hello's records when application bytes follow") {
    Bytes hello = minewall::test::openssl_client_hello({.sni = "early.example"});
    const std::size_t hello_size = hello.size();
    hello.insert(hello.end(), {0x17, 0x03, 0x03, 0x00, 0x02, 0xaa, 0xbb});
    const auto r = parse(hello);
    REQUIRE(r.status == ClientHelloStatus::complete);
    CHECK(r.info.record_bytes == hello_size);
}

TEST_CASE("skips GREASE values in ciphers, extensions, versions, groups and key shares") {
    const auto r = parse(minewall::test::grease_hello("grease.example"));
    REQUIRE(r.status == ClientHelloStatus::complete);
    CHECK(r.info.has_grease);
    CHECK(r.info.sni == "grease.example");
    CHECK(r.info.alpn == std::vector<std::string>{"h2", "http/1.1"});
    CHECK(r.info.supported_versions == std::vector<std::uint16_t>{0x6a6a, 0x0304, 0x0303});
    CHECK(r.info.max_version() == 0x0304);
    CHECK(r.info.cipher_count == 6);
    CHECK(r.info.extension_types.front() == 0x2a2a);
    CHECK(r.info.extension_types.back() == 0xfafa);
}

TEST_CASE("recognises GREASE values and nothing else") {
    CHECK(is_grease(0x0a0a));
    CHECK(is_grease(0xfafa));
    CHECK_FALSE(is_grease(0x0a1a));
    CHECK_FALSE(is_grease(0x1301));
    CHECK_FALSE(is_grease(0x0304));
}

TEST_CASE("ignores unknown extensions") {
    minewall::test::CraftedHello hello;
    hello.extensions = {{0x7777, {1, 2, 3, 4, 5}},
                        {0x0000, minewall::test::server_name_extension("x.example")},
                        {0xfe0d, {9, 9, 9}}};
    const auto r = parse(minewall::test::wrap_in_records(hello.handshake()));
    REQUIRE(r.status == ClientHelloStatus::complete);
    CHECK(r.info.sni == "x.example");
    CHECK(r.info.has_ech);
}

TEST_CASE("sees pre_shared_key in a TLS 1.3 resumption hello") {
    using namespace minewall::certs;
    CaResult ca = generate_ca({.host_label = "test"});
    REQUIRE(ca.ca);
    LeafIssuer issuer(ca.ca);
    LeafResult leaf = issuer.mint("resume.example");
    REQUIRE(leaf.leaf);
    SslCtxPtr client_ctx(SSL_CTX_new(TLS_client_method()));
    SslPtr client(SSL_new(client_ctx.get()));
    SSL_set_tlsext_host_name(client.get(), "resume.example");
    SslPtr server(SSL_new(leaf.leaf->server_ctx()));
    REQUIRE(minewall::test::run_memory_handshake(client.get(), server.get()).ok);
    SSL_SESSION* session = SSL_get1_session(client.get());
    REQUIRE(session != nullptr);
    REQUIRE(SSL_SESSION_is_resumable(session));

    const auto r =
        parse(minewall::test::openssl_client_hello({.sni = "resume.example", .resume = session}));
    SSL_SESSION_free(session);
    REQUIRE(r.status == ClientHelloStatus::complete);
    CHECK(r.info.has_pre_shared_key);
    CHECK(r.info.extension_types.back() == 0x0029);
}

TEST_CASE("decides not TLS from the first byte for HTTP and stratum") {
    for (const std::string text :
         {"GET / HTTP/1.1\r\n", "{\"id\":1,\"method\":\"mining.subscribe\"}", "G"}) {
        const auto r = parse(bytes_of(text));
        CHECK(r.status == ClientHelloStatus::not_tls);
        CHECK_FALSE(r.error.empty());
    }
    CHECK(parse(Bytes{0x16, 0x02}).status == ClientHelloStatus::not_tls);
    CHECK(parse(Bytes{0x16, 0x03, 0x09}).status == ClientHelloStatus::not_tls);
    CHECK(parse(Bytes{0x80, 0x2e, 0x01}).status == ClientHelloStatus::not_tls);  // SSLv2 hello
    CHECK(parse(Bytes{}).status == ClientHelloStatus::need_more);
    CHECK(parse(Bytes{0x16, 0x03}).status == ClientHelloStatus::need_more);
}

TEST_CASE("rejects a hello declaring more than the size limit before reading it") {
    Bytes start{0x16, 0x03, 0x01, 0x40, 0x00, 0x01, 0x01, 0x00, 0x00};  // 65536-byte hello
    const auto r = parse(start);
    CHECK(r.status == ClientHelloStatus::malformed);
    CHECK(r.error.find("exceeds") != std::string::npos);
}

TEST_CASE("rejects a real oversize hello spread over records") {
    // The extension block and the cipher list are each capped at 2^16 bytes by their length
    // fields, so a 70 KB hello needs both.
    minewall::test::CraftedHello hello;
    hello.ciphers.assign(15000, 0x1301);
    hello.extensions = {{0x0000, minewall::test::server_name_extension("big.example")},
                        {0x0015, Bytes(40000, 0)}};  // padding
    const Bytes records = minewall::test::wrap_in_records(hello.handshake());
    CHECK(parse(records).status == ClientHelloStatus::malformed);
    CHECK(parse_client_hello(records, 128 * 1024).status == ClientHelloStatus::complete);
}

TEST_CASE("reports malformed hellos with a reason") {
    auto with_extensions = [](std::vector<std::pair<std::uint16_t, Bytes>> extensions) {
        minewall::test::CraftedHello hello;
        hello.extensions = std::move(extensions);
        return parse(minewall::test::wrap_in_records(hello.handshake()));
    };
    SUBCASE("duplicate extension") {
        const auto r = with_extensions({{0x0017, {}}, {0x0017, {}}});
        CHECK(r.status == ClientHelloStatus::malformed);
        CHECK(r.error.find("twice") != std::string::npos);
    }
    SUBCASE("pre_shared_key not last") {
        CHECK(with_extensions({{0x0029, {0}}, {0x0017, {}}}).status ==
              ClientHelloStatus::malformed);
    }
    SUBCASE("sni with a control byte") {
        CHECK(with_extensions({{0x0000, minewall::test::server_name_extension("a\nb")}}).status ==
              ClientHelloStatus::malformed);
    }
    SUBCASE("sni list length disagrees") {
        CHECK(with_extensions({{0x0000, {0x00, 0x09, 0x00, 0x00, 0x01, 'a'}}}).status ==
              ClientHelloStatus::malformed);
    }
    SUBCASE("empty alpn name") {
        CHECK(with_extensions({{0x0010, {0x00, 0x01, 0x00}}}).status ==
              ClientHelloStatus::malformed);
    }
    SUBCASE("odd supported_versions") {
        CHECK(with_extensions({{0x002b, {0x03, 0x03, 0x04, 0x03}}}).status ==
              ClientHelloStatus::malformed);
    }
    SUBCASE("handshake type is not ClientHello") {
        const auto r = parse(Bytes{0x16, 0x03, 0x01, 0x00, 0x04, 0x02, 0x00, 0x00, 0x00});
        CHECK(r.status == ClientHelloStatus::malformed);
    }
    SUBCASE("alert record in the middle of a fragmented hello") {
        Bytes split = minewall::test::refragment(minewall::test::openssl_client_hello({}), 50);
        split[55] = 0x15;  // second record's content type
        CHECK(parse(split).status == ClientHelloStatus::malformed);
    }
    SUBCASE("record longer than 2^14") {
        CHECK(parse(Bytes{0x16, 0x03, 0x01, 0x40, 0x01}).status == ClientHelloStatus::malformed);
    }
    SUBCASE("body shorter than its fields") {
        Bytes hs{0x01, 0x00, 0x00, 0x04, 0x03, 0x03, 0x00, 0x00};
        CHECK(parse(minewall::test::wrap_in_records(hs)).status == ClientHelloStatus::malformed);
    }
}

TEST_CASE("classifies every file of the checked-in fuzz corpus as expected") {
    struct Expect {
        const char* file;
        ClientHelloStatus status;
        const char* sni;
    };
    const Expect expected[] = {
        {"valid_sni", ClientHelloStatus::complete, "www.example.com"},
        {"no_sni", ClientHelloStatus::complete, ""},
        {"grease", ClientHelloStatus::complete, "grease.example.net"},
        {"tls13_key_share", ClientHelloStatus::complete, "tls13.example.org"},
        {"tls12_only", ClientHelloStatus::complete, "legacy.example.org"},
        {"alpn_h2_http11", ClientHelloStatus::complete, "alpn.example.com"},
        {"fragmented", ClientHelloStatus::complete, "fragmented.example.com"},
        {"unknown_extensions", ClientHelloStatus::complete, "unknown.example.com"},
        {"oversize", ClientHelloStatus::malformed, ""},
        {"not_tls_http", ClientHelloStatus::not_tls, ""},
        {"not_tls_stratum", ClientHelloStatus::not_tls, ""},
        {"truncated", ClientHelloStatus::need_more, ""},
        {"duplicate_extension", ClientHelloStatus::malformed, ""},
    };
    for (const auto& e : expected) {
        const auto r = parse(read_corpus(e.file));
        INFO(e.file << ": " << to_string(r.status) << " " << r.error);
        CHECK(r.status == e.status);
        CHECK(r.info.sni == e.sni);
    }
}
