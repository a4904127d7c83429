#include "certs/upstream_tls.hpp"

#include <doctest/doctest.h>

#include <fstream>

#include "certs/leaf_issuer.hpp"
#include "certs/openssl_handles.hpp"
#include "certs/upstream_session_store.hpp"
#include "tests/unit/certs/memory_tls_handshake.hpp"
#include "tests/unit/certs/scratch_dir.hpp"

using namespace minewall::certs;
using minewall::test::ScratchDir;

namespace {

// An "origin" whose certificates come from a private test CA, written to a bundle file.
struct TestOrigin {
    ScratchDir dir;
    std::shared_ptr<const CertificateAuthority> ca = generate_ca({.host_label = "origin"}).ca;
    std::string bundle = dir / "bundle.pem";

    TestOrigin() {
        REQUIRE(ca);
        std::ofstream(bundle) << ca->certificate_pem();
    }
};

struct Attempt {
    bool ok = false;
    VerifyFailure failure;
    std::string sni;
};

// The client side as the proxy would run it, against a server presenting `leaf`.
Attempt connect(const UpstreamTlsOptions& options, const MintedLeaf& leaf, const char* host,
                bool verify = true) {
    UpstreamCtxResult ctx = make_upstream_client_ctx(options);
    REQUIRE_MESSAGE(ctx.ctx, ctx.error);
    SslPtr client(SSL_new(ctx.ctx.get()));
    REQUIRE(configure_upstream_ssl(client.get(), host, verify).empty());
    SslPtr server(SSL_new(leaf.server_ctx()));
    Attempt a;
    a.ok = minewall::test::run_memory_handshake(client.get(), server.get()).ok;
    a.failure = upstream_verify_failure(client.get());
    if (const char* name = SSL_get_servername(server.get(), TLSEXT_NAMETYPE_host_name))
        a.sni = name;
    return a;
}

}  // namespace

TEST_CASE("verifies an origin whose CA is in the extra bundle and sends SNI") {
    TestOrigin origin;
    LeafIssuer issuer(origin.ca);
    auto leaf = issuer.mint("origin.example").leaf;
    const Attempt a = connect({.extra_ca_file = origin.bundle}, *leaf, "origin.example");
    CHECK(a.ok);
    CHECK(a.failure.problem == VerifyProblem::none);
    CHECK(a.sni == "origin.example");
}

TEST_CASE("fails with unknown_ca when the origin CA is not trusted") {
    TestOrigin origin;
    LeafIssuer issuer(origin.ca);
    auto leaf = issuer.mint("origin.example").leaf;
    const Attempt a = connect({}, *leaf, "origin.example");
    CHECK_FALSE(a.ok);
    CHECK(a.failure.problem == VerifyProblem::unknown_ca);
    CHECK(std::string(a.failure.slug) == "unknown_ca");
    CHECK(a.failure.reason.find("does not trust") != std::string::npos);
}

TEST_CASE("fails with expired for an expired origin certificate") {
    TestOrigin origin;
    LeafIssuer stale(origin.ca, {.lifetime = std::chrono::hours(24 * 30),
                                 .backdate = std::chrono::hours(24 * 60)});
    auto leaf = stale.mint("old.example").leaf;
    REQUIRE(leaf);
    const Attempt a = connect({.extra_ca_file = origin.bundle}, *leaf, "old.example");
    CHECK_FALSE(a.ok);
    CHECK(a.failure.problem == VerifyProblem::expired);
}

TEST_CASE("fails with hostname_mismatch for another name or address") {
    TestOrigin origin;
    LeafIssuer issuer(origin.ca);
    auto dns = issuer.mint("right.example").leaf;
    const Attempt wrong_name = connect({.extra_ca_file = origin.bundle}, *dns, "wrong.example");
    CHECK_FALSE(wrong_name.ok);
    CHECK(wrong_name.failure.problem == VerifyProblem::hostname_mismatch);

    auto ip = issuer.mint("127.0.0.1").leaf;
    const Attempt right_ip = connect({.extra_ca_file = origin.bundle}, *ip, "127.0.0.1");
    CHECK(right_ip.ok);
    CHECK(right_ip.sni.empty());  // no SNI for IP literals
    const Attempt wrong_ip = connect({.extra_ca_file = origin.bundle}, *ip, "127.0.0.2");
    CHECK_FALSE(wrong_ip.ok);
    CHECK(wrong_ip.failure.problem == VerifyProblem::hostname_mismatch);
}

TEST_CASE("skips verification for a verify: false exception") {
    TestOrigin origin;
    LeafIssuer issuer(origin.ca);
    auto leaf = issuer.mint("self.example").leaf;
    CHECK(connect({}, *leaf, "other.example", false).ok);
}

TEST_CASE("reports an unreadable extra bundle") {
    UpstreamCtxResult r = make_upstream_client_ctx({.extra_ca_file = "/nonexistent/bundle.pem"});
    CHECK_FALSE(r.ctx);
    CHECK(r.error.find("/nonexistent/bundle.pem") != std::string::npos);
}

TEST_CASE("describes verification codes for the error page") {
    CHECK(describe_verify_result(X509_V_OK).problem == VerifyProblem::none);
    CHECK(describe_verify_result(X509_V_ERR_CERT_NOT_YET_VALID).problem ==
          VerifyProblem::not_yet_valid);
    CHECK(describe_verify_result(X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT).problem ==
          VerifyProblem::self_signed);
    CHECK(describe_verify_result(X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN).problem ==
          VerifyProblem::self_signed);
    CHECK(describe_verify_result(X509_V_ERR_CERT_REVOKED).problem == VerifyProblem::revoked);
    CHECK(describe_verify_result(X509_V_ERR_INVALID_PURPOSE).problem ==
          VerifyProblem::wrong_purpose);
    const VerifyFailure other = describe_verify_result(X509_V_ERR_UNSPECIFIED);
    CHECK(other.problem == VerifyProblem::other);
    CHECK(other.reason.find("OpenSSL error") != std::string::npos);
}

TEST_CASE("refuses to configure an invalid upstream host") {
    UpstreamCtxResult ctx = make_upstream_client_ctx({});
    REQUIRE(ctx.ctx);
    SslPtr ssl(SSL_new(ctx.ctx.get()));
    CHECK_FALSE(configure_upstream_ssl(ssl.get(), "bad host").empty());
}

namespace {

// One handshake on an existing upstream context; true when the session was resumed.
bool handshake_resumed(SSL_CTX* ctx, const MintedLeaf& leaf, const char* host, bool verify) {
    SslPtr client(SSL_new(ctx));
    REQUIRE(configure_upstream_ssl(client.get(), host, verify).empty());
    SslPtr server(SSL_new(leaf.server_ctx()));
    REQUIRE(minewall::test::run_memory_handshake(client.get(), server.get()).ok);
    CHECK(upstream_verify_failure(client.get()).problem == VerifyProblem::none);
    return SSL_session_reused(client.get()) == 1;
}

}  // namespace

TEST_CASE("the next connection to the same origin resumes its TLS session") {
    TestOrigin origin;
    LeafIssuer issuer(origin.ca);
    auto leaf = issuer.mint("origin.example").leaf;
    UpstreamCtxResult ctx = make_upstream_client_ctx({.extra_ca_file = origin.bundle});
    REQUIRE(ctx.ctx);
    CHECK_FALSE(handshake_resumed(ctx.ctx.get(), *leaf, "origin.example", true));
    CHECK(stored_upstream_sessions(ctx.ctx.get()) == 1);
    CHECK(handshake_resumed(ctx.ctx.get(), *leaf, "origin.example", true));
    CHECK(handshake_resumed(ctx.ctx.get(), *leaf, "ORIGIN.example.", true));  // same origin
}

TEST_CASE("a session is never offered to another origin or across the verify exception") {
    TestOrigin origin;
    LeafIssuer issuer(origin.ca);
    auto leaf = issuer.mint("origin.example").leaf;
    auto other = issuer.mint("other.example").leaf;
    UpstreamCtxResult ctx = make_upstream_client_ctx({.extra_ca_file = origin.bundle});
    REQUIRE(ctx.ctx);
    CHECK_FALSE(handshake_resumed(ctx.ctx.get(), *leaf, "origin.example", false));
    // The unverified session must not let a verified connection skip verification.
    CHECK_FALSE(handshake_resumed(ctx.ctx.get(), *leaf, "origin.example", true));
    CHECK_FALSE(handshake_resumed(ctx.ctx.get(), *other, "other.example", true));
    CHECK(stored_upstream_sessions(ctx.ctx.get()) == 3);
}
