#include "certs/leaf_issuer.hpp"

#include <arpa/inet.h>
#include <doctest/doctest.h>

#include <cstring>
#include <ctime>

#include "certs/openssl_handles.hpp"
#include "certs/x509_fields.hpp"
#include "tests/unit/certs/memory_tls_handshake.hpp"

using namespace minewall::certs;

namespace {

std::shared_ptr<const CertificateAuthority> test_ca() {
    static const auto ca = generate_ca({.host_label = "leaf-test"}).ca;
    REQUIRE(ca);
    return ca;
}

std::shared_ptr<const MintedLeaf> mint(const LeafIssuer& issuer, const char* host) {
    LeafResult r = issuer.mint(host);
    REQUIRE_MESSAGE(r.leaf, r.error);
    return r.leaf;
}

struct SanNames {
    std::vector<std::string> dns;
    std::vector<std::string> ips;  // as 4 or 16 raw bytes
    bool critical = false;
};

SanNames san_of(X509* cert) {
    SanNames out;
    int crit = 0;
    auto* names =
        static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, &crit, nullptr));
    out.critical = crit == 1;
    for (int i = 0; names && i < sk_GENERAL_NAME_num(names); ++i) {
        const GENERAL_NAME* n = sk_GENERAL_NAME_value(names, i);
        if (n->type == GEN_DNS) {
            out.dns.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(n->d.dNSName)),
                                 ASN1_STRING_length(n->d.dNSName));
        } else if (n->type == GEN_IPADD) {
            out.ips.emplace_back(
                reinterpret_cast<const char*>(ASN1_STRING_get0_data(n->d.iPAddress)),
                ASN1_STRING_length(n->d.iPAddress));
        }
    }
    GENERAL_NAMES_free(names);
    return out;
}

std::string common_name(X509* cert) {
    char cn[256] = {};
    const int n =
        X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, cn, sizeof cn);
    return n < 0 ? std::string() : std::string(cn, static_cast<std::size_t>(n));
}

// Verifies `cert` as a TLS server certificate against `ca` alone.
int verify_against(X509* cert, const CertificateAuthority& ca) {
    X509StorePtr store(X509_STORE_new());
    X509_STORE_add_cert(store.get(), ca.certificate());
    X509StoreCtxPtr ctx(X509_STORE_CTX_new());
    X509_STORE_CTX_init(ctx.get(), store.get(), cert, nullptr);
    X509_STORE_CTX_set_purpose(ctx.get(), X509_PURPOSE_SSL_SERVER);
    X509_verify_cert(ctx.get());
    return X509_STORE_CTX_get_error(ctx.get());
}

// A CA certificate signed by `issuer` (self-signed when null) with the given basicConstraints.
std::shared_ptr<const CertificateAuthority> make_authority(const char* cn, X509* issuer,
                                                           EVP_PKEY* issuer_key,
                                                           const char* constraints) {
    EvpPkeyPtr key = generate_ec_p256_key();
    X509Ptr cert(X509_new());
    X509* c = cert.get();
    X509_set_version(c, X509_VERSION_3);
    set_random_serial(c);
    set_validity(c, std::chrono::hours(1), std::chrono::hours(24 * 30));
    X509_NAME_add_entry_by_txt(X509_get_subject_name(c), "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>(cn), -1, -1, 0);
    X509_set_issuer_name(c, X509_get_subject_name(issuer ? issuer : c));
    X509_set_pubkey(c, key.get());
    REQUIRE(add_extension(c, issuer ? issuer : c, NID_basic_constraints, constraints));
    REQUIRE(add_extension(c, issuer ? issuer : c, NID_key_usage, "critical,keyCertSign"));
    REQUIRE(add_extension(c, issuer ? issuer : c, NID_subject_key_identifier, "hash"));
    REQUIRE(add_extension(c, issuer ? issuer : c, NID_authority_key_identifier, "keyid:always"));
    REQUIRE(sign_certificate(c, issuer_key ? issuer_key : key.get()));
    return std::make_shared<const CertificateAuthority>(
        share(std::move(cert)), share(std::move(key)), std::vector<std::shared_ptr<x509_st>>{});
}

}  // namespace

TEST_CASE("mints a DNS leaf with SAN, CN, serverAuth and a CA:FALSE constraint") {
    LeafIssuer issuer(test_ca());
    auto leaf = mint(issuer, "Pool.Example.com");
    X509* cert = leaf->certificate();
    CHECK(leaf->host() == "pool.example.com");
    const SanNames san = san_of(cert);
    CHECK(san.dns == std::vector<std::string>{"pool.example.com"});
    CHECK(san.ips.empty());
    CHECK_FALSE(san.critical);
    CHECK(common_name(cert) == "pool.example.com");
    CHECK(X509_check_host(cert, "pool.example.com", 0, 0, nullptr) == 1);
    CHECK(X509_check_host(cert, "other.example.com", 0, 0, nullptr) == 0);

    CHECK((X509_get_extended_key_usage(cert) & XKU_SSL_SERVER) != 0);
    CHECK(X509_get_extended_key_usage(cert) == XKU_SSL_SERVER);
    CHECK(X509_get_key_usage(cert) == KU_DIGITAL_SIGNATURE);
    CHECK((X509_get_extension_flags(cert) & EXFLAG_CA) == 0);
    CHECK((X509_get_extension_flags(cert) & EXFLAG_BCONS) != 0);
    CHECK(X509_get0_subject_key_id(cert) != nullptr);
    const ASN1_OCTET_STRING* aki = X509_get0_authority_key_id(cert);
    REQUIRE(aki != nullptr);
    CHECK(ASN1_OCTET_STRING_cmp(aki, X509_get0_subject_key_id(test_ca()->certificate())) == 0);
    CHECK(X509_NAME_cmp(X509_get_issuer_name(cert),
                        X509_get_subject_name(test_ca()->certificate())) == 0);
    CHECK(verify_against(cert, *test_ca()) == X509_V_OK);
}

TEST_CASE("signs leaves with the shared leaf key, never the CA key") {
    LeafIssuer issuer(test_ca());
    auto a = mint(issuer, "a.example");
    auto b = mint(issuer, "b.example");
    EVP_PKEY* key_a = X509_get0_pubkey(a->certificate());
    CHECK(EVP_PKEY_eq(key_a, X509_get0_pubkey(b->certificate())) == 1);
    CHECK(EVP_PKEY_eq(key_a, issuer.leaf_key()) == 1);
    CHECK(EVP_PKEY_eq(key_a, test_ca()->private_key()) != 1);
    CHECK(EVP_PKEY_get_base_id(key_a) == EVP_PKEY_EC);
    CHECK(EVP_PKEY_get_bits(key_a) == 256);
}

TEST_CASE("gives every leaf a random positive serial of at most 128 bits") {
    LeafIssuer issuer(test_ca());
    auto a = mint(issuer, "serial.example");
    auto b = mint(issuer, "serial.example");
    const ASN1_INTEGER* sa = X509_get0_serialNumber(a->certificate());
    const ASN1_INTEGER* sb = X509_get0_serialNumber(b->certificate());
    CHECK(ASN1_INTEGER_cmp(sa, sb) != 0);
    BignumPtr bn(ASN1_INTEGER_to_BN(sa, nullptr));
    CHECK_FALSE(BN_is_negative(bn.get()));
    CHECK_FALSE(BN_is_zero(bn.get()));
    CHECK(BN_num_bits(bn.get()) <= 128);
}

TEST_CASE("back-dates notBefore by an hour and keeps validity within 397 days") {
    LeafIssuer issuer(test_ca());
    auto leaf = mint(issuer, "time.example");
    X509* cert = leaf->certificate();
    const std::time_t now = std::time(nullptr);
    std::time_t minus_59m = now - 59 * 60;
    std::time_t minus_61m = now - 61 * 60;
    CHECK(X509_cmp_time(X509_get0_notBefore(cert), &minus_59m) < 0);
    CHECK(X509_cmp_time(X509_get0_notBefore(cert), &minus_61m) > 0);
    int days = 0;
    int seconds = 0;
    REQUIRE(ASN1_TIME_diff(&days, &seconds, X509_get0_notBefore(cert), X509_get0_notAfter(cert)));
    CHECK(days * 86400 + seconds <= 397 * 86400);
    CHECK(days >= 396);
}

TEST_CASE("caps the lifetime at 397 days and at the CA's own expiry") {
    LeafIssuer long_lived(test_ca(), {.lifetime = std::chrono::hours(24 * 900)});
    auto leaf = mint(long_lived, "cap.example");
    int days = 0;
    int seconds = 0;
    REQUIRE(ASN1_TIME_diff(&days, &seconds, X509_get0_notBefore(leaf->certificate()),
                           X509_get0_notAfter(leaf->certificate())));
    CHECK(days * 86400 + seconds <= 397 * 86400);

    auto short_ca =
        generate_ca({.host_label = "short", .validity = std::chrono::hours(24 * 30)}).ca;
    REQUIRE(short_ca);
    LeafIssuer under_short(short_ca);
    auto clamped = mint(under_short, "clamped.example");
    CHECK(ASN1_TIME_compare(X509_get0_notAfter(clamped->certificate()),
                            X509_get0_notAfter(short_ca->certificate())) <= 0);
}

TEST_CASE("puts IP literals in an iPAddress SAN") {
    LeafIssuer issuer(test_ca());
    auto v4 = mint(issuer, "192.0.2.7");
    const SanNames s4 = san_of(v4->certificate());
    CHECK(s4.dns.empty());
    REQUIRE(s4.ips.size() == 1);
    CHECK(s4.ips[0] == std::string("\xc0\x00\x02\x07", 4));
    CHECK(X509_check_ip_asc(v4->certificate(), "192.0.2.7", 0) == 1);
    CHECK(common_name(v4->certificate()) == "192.0.2.7");

    auto v6 = mint(issuer, "[2001:db8::1]");
    CHECK(v6->host() == "2001:db8::1");
    CHECK(X509_check_ip_asc(v6->certificate(), "2001:db8::1", 0) == 1);
    CHECK(san_of(v6->certificate()).ips.at(0).size() == 16);
}

TEST_CASE("omits the CN of a host longer than 64 bytes and makes the SAN critical") {
    LeafIssuer issuer(test_ca());
    const std::string host = std::string(60, 'a') + ".mining-pool.example";
    auto leaf = mint(issuer, host.c_str());
    CHECK(common_name(leaf->certificate()).empty());
    const SanNames san = san_of(leaf->certificate());
    CHECK(san.dns == std::vector<std::string>{host});
    CHECK(san.critical);
    CHECK(verify_against(leaf->certificate(), *test_ca()) == X509_V_OK);
}

TEST_CASE("refuses to mint for a host that is not a valid name") {
    LeafIssuer issuer(test_ca());
    LeafResult r = issuer.mint("bad host,DNS:bank.example");
    CHECK_FALSE(r.leaf);
    CHECK(r.error.find("cannot mint") != std::string::npos);
}

TEST_CASE("serves the leaf over TLS 1.3 choosing http/1.1 and issuing session tickets") {
    LeafIssuer issuer(test_ca());
    auto leaf = mint(issuer, "bump.example");
    SslCtxPtr client_ctx(SSL_CTX_new(TLS_client_method()));
    X509_STORE_add_cert(SSL_CTX_get_cert_store(client_ctx.get()), test_ca()->certificate());
    SSL_CTX_set_verify(client_ctx.get(), SSL_VERIFY_PEER, nullptr);
    SslPtr client(SSL_new(client_ctx.get()));
    SSL_set_tlsext_host_name(client.get(), "bump.example");
    SSL_set1_host(client.get(), "bump.example");
    static const unsigned char alpn[] = {2, 'h', '2', 8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
    SSL_set_alpn_protos(client.get(), alpn, sizeof alpn);
    SslPtr server(SSL_new(leaf->server_ctx()));

    const auto outcome = minewall::test::run_memory_handshake(client.get(), server.get());
    REQUIRE_MESSAGE(outcome.ok, outcome.client_error << " / " << outcome.server_error);
    CHECK(SSL_get_verify_result(client.get()) == X509_V_OK);
    CHECK(SSL_version(client.get()) == TLS1_3_VERSION);
    const unsigned char* selected = nullptr;
    unsigned int length = 0;
    SSL_get0_alpn_selected(client.get(), &selected, &length);
    CHECK(std::string(reinterpret_cast<const char*>(selected), length) == "http/1.1");
    SSL_SESSION* session = SSL_get1_session(client.get());
    CHECK(SSL_SESSION_is_resumable(session) == 1);
    SSL_SESSION_free(session);
}

TEST_CASE("answers no ALPN to a client offering only h2, and speaks TLS 1.2") {
    LeafIssuer issuer(test_ca());
    auto leaf = mint(issuer, "h2only.example");
    SslCtxPtr client_ctx(SSL_CTX_new(TLS_client_method()));
    SSL_CTX_set_max_proto_version(client_ctx.get(), TLS1_2_VERSION);
    SslPtr client(SSL_new(client_ctx.get()));
    static const unsigned char alpn[] = {2, 'h', '2'};
    SSL_set_alpn_protos(client.get(), alpn, sizeof alpn);
    SslPtr server(SSL_new(leaf->server_ctx()));
    REQUIRE(minewall::test::run_memory_handshake(client.get(), server.get()).ok);
    CHECK(SSL_version(client.get()) == TLS1_2_VERSION);
    const unsigned char* selected = nullptr;
    unsigned int length = 0;
    SSL_get0_alpn_selected(client.get(), &selected, &length);
    CHECK(length == 0);
}

TEST_CASE("sends the CA and its chain after the leaf when the CA is an intermediate") {
    // A corporate root (no path length limit) signs minewall's CA; clients trust the root only.
    auto root = make_authority("corporate root", nullptr, nullptr, "critical,CA:TRUE");
    auto sub = make_authority("minewall sub", root->certificate(), root->private_key(),
                              "critical,CA:TRUE,pathlen:0");
    REQUIRE(sub->chain_for_leaves().size() == 1);
    LeafIssuer issuer(sub);
    auto leaf = mint(issuer, "chained.example");

    SslCtxPtr client_ctx(SSL_CTX_new(TLS_client_method()));
    X509_STORE_add_cert(SSL_CTX_get_cert_store(client_ctx.get()), root->certificate());
    SSL_CTX_set_verify(client_ctx.get(), SSL_VERIFY_PEER, nullptr);
    SslPtr client(SSL_new(client_ctx.get()));
    SSL_set1_host(client.get(), "chained.example");
    SslPtr server(SSL_new(leaf->server_ctx()));
    const auto outcome = minewall::test::run_memory_handshake(client.get(), server.get());
    REQUIRE_MESSAGE(outcome.ok, outcome.client_error);
    CHECK(sk_X509_num(SSL_get_peer_cert_chain(client.get())) == 2);
}

TEST_CASE("serves leaves from one shared context when per-host contexts are off") {
    LeafIssuer issuer(test_ca(), {.per_host_ctx = false});
    auto a = mint(issuer, "shared-a.example");
    auto b = mint(issuer, "shared-b.example");
    CHECK_FALSE(a->has_own_ctx());
    CHECK(a->server_ctx() == b->server_ctx());

    SslCtxPtr client_ctx(SSL_CTX_new(TLS_client_method()));
    X509_STORE_add_cert(SSL_CTX_get_cert_store(client_ctx.get()), test_ca()->certificate());
    SSL_CTX_set_verify(client_ctx.get(), SSL_VERIFY_PEER, nullptr);
    SslPtr client(SSL_new(client_ctx.get()));
    SSL_set1_host(client.get(), "shared-b.example");
    SslPtr server(b->new_server_ssl());
    REQUIRE(server);
    const auto outcome = minewall::test::run_memory_handshake(client.get(), server.get());
    REQUIRE_MESSAGE(outcome.ok, outcome.client_error << " / " << outcome.server_error);
    CHECK(X509_cmp(SSL_get0_peer_certificate(client.get()), b->certificate()) == 0);
}

TEST_CASE("new_server_ssl of a per-host context carries the leaf") {
    LeafIssuer issuer(test_ca());
    auto leaf = mint(issuer, "own.example");
    CHECK(leaf->has_own_ctx());
    SslPtr ssl(leaf->new_server_ssl());
    REQUIRE(ssl);
    CHECK(X509_cmp(SSL_get_certificate(ssl.get()), leaf->certificate()) == 0);
}
