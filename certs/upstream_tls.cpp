#include "certs/upstream_tls.hpp"

#include <fmt/format.h>

#include "certs/host_name.hpp"
#include "certs/openssl_handles.hpp"
#include "certs/upstream_session_store.hpp"

namespace minewall::certs {

UpstreamCtxResult make_upstream_client_ctx(const UpstreamTlsOptions& options) {
    SslCtxPtr ctx(SSL_CTX_new(TLS_client_method()));
    if (!ctx) return {nullptr, "cannot create the upstream TLS context: " + drain_openssl_errors()};
    SSL_CTX* c = ctx.get();
    const int min = options.min_version == TlsMinVersion::tls1_3 ? TLS1_3_VERSION : TLS1_2_VERSION;
    if (SSL_CTX_set_min_proto_version(c, min) != 1) {
        return {nullptr, "cannot set the minimum TLS version: " + drain_openssl_errors()};
    }
    if (options.use_system_store && SSL_CTX_set_default_verify_paths(c) != 1) {
        return {nullptr, "cannot load the system trust store: " + drain_openssl_errors()};
    }
    if (!options.extra_ca_file.empty() &&
        SSL_CTX_load_verify_locations(c, options.extra_ca_file.c_str(), nullptr) != 1) {
        return {nullptr, "cannot load the CA bundle '" + options.extra_ca_file +
                             "': " + drain_openssl_errors()};
    }
    SSL_CTX_set_verify(c, SSL_VERIFY_PEER, nullptr);
    static constexpr unsigned char alpn[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
    if (SSL_CTX_set_alpn_protos(c, alpn, sizeof alpn) != 0) {
        return {nullptr, "cannot set ALPN: " + drain_openssl_errors()};
    }
    SSL_CTX_set_mode(c, SSL_MODE_RELEASE_BUFFERS);
    if (auto error = attach_upstream_session_store(c); !error.empty()) return {nullptr, error};
    return {share(std::move(ctx)), {}};
}

std::string configure_upstream_ssl(SSL* ssl, std::string_view host_text, bool verify) {
    CertHostResult parsed = normalize_cert_host(host_text);
    if (!parsed.host)
        return "invalid upstream host '" + std::string(host_text) + "': " + parsed.error;
    const CertHost& host = *parsed.host;

    if (host.kind == HostKind::dns && SSL_set_tlsext_host_name(ssl, host.name.c_str()) != 1) {
        return "cannot set SNI: " + drain_openssl_errors();
    }
    // Resume the last session with this origin; one made unverified never serves a verified one.
    configure_upstream_session(ssl, (verify ? "verified " : "unverified ") + host.name);
    if (!verify) {
        SSL_set_verify(ssl, SSL_VERIFY_NONE, nullptr);
        return {};
    }
    SSL_set_verify(ssl, SSL_VERIFY_PEER, nullptr);
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
    if (host.kind == HostKind::dns) {
        // Wildcards only as a whole left-most label: "*.example.com", never "w*.example.com".
        X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
        if (X509_VERIFY_PARAM_set1_host(param, host.name.c_str(), host.name.size()) != 1) {
            return "cannot set the expected host name: " + drain_openssl_errors();
        }
    } else if (X509_VERIFY_PARAM_set1_ip(param, host.ip.data(), host.ip_length) != 1) {
        return "cannot set the expected IP address: " + drain_openssl_errors();
    }
    return {};
}

VerifyFailure describe_verify_result(long code) {
    if (code == X509_V_OK) return {};
    const std::string detail = X509_verify_cert_error_string(code);
    auto make = [&](VerifyProblem problem, const char* slug, const char* what) {
        return VerifyFailure{problem, slug,
                             fmt::format("{} (OpenSSL error {}: {})", what, code, detail)};
    };
    switch (code) {
        case X509_V_ERR_CERT_HAS_EXPIRED:
        case X509_V_ERR_CRL_HAS_EXPIRED:
            return make(VerifyProblem::expired, "expired",
                        "The server's certificate (or one in its chain) has expired");
        case X509_V_ERR_CERT_NOT_YET_VALID:
        case X509_V_ERR_CRL_NOT_YET_VALID:
            return make(VerifyProblem::not_yet_valid, "not_yet_valid",
                        "The server's certificate is not valid yet (check the clocks)");
        case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
        case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
        case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
        case X509_V_ERR_CERT_UNTRUSTED:
            return make(VerifyProblem::unknown_ca, "unknown_ca",
                        "The server's certificate was issued by an authority this proxy does "
                        "not trust");
        case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
        case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
            return make(VerifyProblem::self_signed, "self_signed",
                        "The server presented a self-signed certificate this proxy does not "
                        "trust");
        case X509_V_ERR_HOSTNAME_MISMATCH:
        case X509_V_ERR_IP_ADDRESS_MISMATCH:
        case X509_V_ERR_EMAIL_MISMATCH:
            return make(VerifyProblem::hostname_mismatch, "hostname_mismatch",
                        "The server's certificate is for a different name than the one requested");
        case X509_V_ERR_CERT_REVOKED:
            return make(VerifyProblem::revoked, "revoked",
                        "The server's certificate has been revoked");
        case X509_V_ERR_CERT_SIGNATURE_FAILURE:
        case X509_V_ERR_UNABLE_TO_DECRYPT_CERT_SIGNATURE:
        case X509_V_ERR_UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY:
            return make(VerifyProblem::bad_signature, "bad_signature",
                        "A signature in the server's certificate chain does not verify");
        case X509_V_ERR_INVALID_PURPOSE:
        case X509_V_ERR_CERT_REJECTED:
            return make(VerifyProblem::wrong_purpose, "wrong_purpose",
                        "The server's certificate is not allowed for TLS server authentication");
        case X509_V_ERR_CERT_CHAIN_TOO_LONG:
        case X509_V_ERR_INVALID_CA:
        case X509_V_ERR_PATH_LENGTH_EXCEEDED:
        case X509_V_ERR_INVALID_NON_CA:
        case X509_V_ERR_ERROR_IN_CERT_NOT_BEFORE_FIELD:
        case X509_V_ERR_ERROR_IN_CERT_NOT_AFTER_FIELD:
        case X509_V_ERR_KEYUSAGE_NO_CERTSIGN:
            return make(VerifyProblem::invalid_chain, "invalid_chain",
                        "The server's certificate chain is malformed");
        default:
            return make(VerifyProblem::other, "other",
                        "The server's certificate could not be verified");
    }
}

VerifyFailure upstream_verify_failure(const SSL* ssl) {
    return describe_verify_result(SSL_get_verify_result(ssl));
}

}  // namespace minewall::certs
