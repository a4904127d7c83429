#pragma once
// TLS toward origin servers, with no sockets: the client SSL_CTX (system trust store plus an
// optional extra bundle), per-connection SNI and hostname/IP verification, and operator-readable
// reasons for verification failures (shown on the 502 page and logged).

#include <memory>
#include <string>
#include <string_view>

struct ssl_ctx_st;  // OpenSSL SSL_CTX
struct ssl_st;      // OpenSSL SSL

namespace minewall::certs {

enum class TlsMinVersion { tls1_2, tls1_3 };

struct UpstreamTlsOptions {
    bool use_system_store = true;  // SSL_CTX_set_default_verify_paths
    std::string extra_ca_file;     // PEM bundle added to the trust store; empty = none
    TlsMinVersion min_version = TlsMinVersion::tls1_2;
};

struct UpstreamCtxResult {
    std::shared_ptr<ssl_ctx_st> ctx;
    std::string error;  // set when ctx is null (e.g. unreadable extra bundle)
};

// A client context verifying peers (SSL_VERIFY_PEER), ALPN "http/1.1" (the proxy forwards
// HTTP/1.1 only), SSL_MODE_RELEASE_BUFFERS, and a session store (upstream_session_store.hpp):
// configure_upstream_ssl offers the origin's last session for resumption.
UpstreamCtxResult make_upstream_client_ctx(const UpstreamTlsOptions& options);

// Prepares a client SSL made from that context for `host` (DNS name or IP literal, brackets
// allowed): SNI for DNS names only (RFC 6066 forbids IP literals), and hostname or IP-address
// checking during verification. `verify == false` is the per-domain "verify: false" exception
// decided by the caller: the chain and name are then not checked. Returns an error, empty on
// success.
std::string configure_upstream_ssl(ssl_st* ssl, std::string_view host, bool verify = true);

enum class VerifyProblem {
    none,
    expired,
    not_yet_valid,
    unknown_ca,         // issuer not in the trust store
    self_signed,        // the server's own certificate, or a self-signed root we do not trust
    hostname_mismatch,  // certificate is for other names / addresses
    revoked,
    bad_signature,
    wrong_purpose,  // not allowed for TLS server authentication
    invalid_chain,  // malformed, too long, bad CA flags, path length...
    other,
};

struct VerifyFailure {
    VerifyProblem problem = VerifyProblem::none;
    const char* slug = "ok";  // short stable token for logs and metrics: "expired", ...
    std::string reason;       // sentence for the 502 page, includes OpenSSL's own text
};

// Maps an X509_V_ERR_* code (SSL_get_verify_result) to a problem and a readable reason.
VerifyFailure describe_verify_result(long code);

// SSL_get_verify_result on a finished (or failed) handshake, described.
VerifyFailure upstream_verify_failure(const ssl_st* ssl);

}  // namespace minewall::certs
