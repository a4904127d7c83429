#include "certs/leaf_issuer.hpp"

#include <openssl/ec.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "certs/host_name.hpp"
#include "certs/x509_fields.hpp"

namespace minewall::certs {
namespace {

constexpr std::size_t max_common_name = 64;  // RFC 5280 ub-common-name

// We terminate HTTP/1.1 only: never promise h2 to a client we cannot speak h2 with. A client
// that offers no http/1.1 gets no ALPN answer and may go on or give up, its choice.
int select_http11(SSL*, const unsigned char** out, unsigned char* out_length,
                  const unsigned char* in, unsigned int in_length, void*) {
    static constexpr unsigned char http11[] = {'h', 't', 't', 'p', '/', '1', '.', '1'};
    unsigned int pos = 0;
    while (pos < in_length) {
        const unsigned int length = in[pos];
        if (length == 0 || pos + 1 + length > in_length) break;
        if (length == sizeof http11 && std::memcmp(in + pos + 1, http11, length) == 0) {
            *out = in + pos + 1;
            *out_length = static_cast<unsigned char>(length);
            return SSL_TLSEXT_ERR_OK;
        }
        pos += 1 + length;
    }
    return SSL_TLSEXT_ERR_NOACK;
}

bool add_subject_alt_name(X509* cert, const CertHost& host, bool critical) {
    GeneralNamesPtr names(GENERAL_NAMES_new());
    GENERAL_NAME* name = GENERAL_NAME_new();
    if (!names || !name) {
        GENERAL_NAME_free(name);
        return false;
    }
    if (host.kind == HostKind::dns) {
        ASN1_IA5STRING* dns = ASN1_IA5STRING_new();
        if (!dns ||
            ASN1_STRING_set(dns, host.name.data(), static_cast<int>(host.name.size())) != 1) {
            ASN1_IA5STRING_free(dns);
            GENERAL_NAME_free(name);
            return false;
        }
        GENERAL_NAME_set0_value(name, GEN_DNS, dns);
    } else {
        ASN1_OCTET_STRING* ip = ASN1_OCTET_STRING_new();
        if (!ip ||
            ASN1_OCTET_STRING_set(ip, host.ip.data(), static_cast<int>(host.ip_length)) != 1) {
            ASN1_OCTET_STRING_free(ip);
            GENERAL_NAME_free(name);
            return false;
        }
        GENERAL_NAME_set0_value(name, GEN_IPADD, ip);
    }
    if (sk_GENERAL_NAME_push(names.get(), name) <= 0) {
        GENERAL_NAME_free(name);
        return false;
    }
    return X509_add1_ext_i2d(cert, NID_subject_alt_name, names.get(), critical ? 1 : 0,
                             X509V3_ADD_DEFAULT) == 1;
}

// Settings every bump context has; the certificate is added per host or per connection.
SslCtxPtr make_base_server_ctx() {
    SslCtxPtr ctx(SSL_CTX_new(TLS_server_method()));
    if (!ctx) return nullptr;
    SSL_CTX* c = ctx.get();
    if (SSL_CTX_set_min_proto_version(c, TLS1_2_VERSION) != 1 ||
        SSL_CTX_set_max_proto_version(c, TLS1_3_VERSION) != 1) {
        return nullptr;
    }
    SSL_CTX_set_alpn_select_cb(c, select_http11, nullptr);
    SSL_CTX_set_mode(c, SSL_MODE_RELEASE_BUFFERS);
    SSL_CTX_set_options(c, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
    // Resumption by stateless tickets only (on by default): a server session cache per
    // context would grow up to 20k sessions each.
    SSL_CTX_set_session_cache_mode(c, SSL_SESS_CACHE_OFF);
    // One TLS 1.3 ticket per handshake, not two: most clients resume with one, and each costs
    // an encryption and a write on every new connection.
    SSL_CTX_set_num_tickets(c, 1);
    static constexpr unsigned char session_context[] = "minewall";
    SSL_CTX_set_session_id_context(c, session_context, sizeof session_context - 1);
    return ctx;
}

SslCtxPtr make_host_server_ctx(X509* leaf, EVP_PKEY* key,
                               const std::vector<std::shared_ptr<X509>>& chain) {
    SslCtxPtr ctx = make_base_server_ctx();
    if (!ctx) return nullptr;
    SSL_CTX* c = ctx.get();
    bool ok = SSL_CTX_use_certificate(c, leaf) == 1 && SSL_CTX_use_PrivateKey(c, key) == 1;
    for (const auto& cert : chain)
        ok = ok && SSL_CTX_add1_chain_cert(c, cert.get()) == 1;
    if (!ok || SSL_CTX_check_private_key(c) != 1) return nullptr;
    return ctx;
}

// See LeafIssuer::leaf_public_encoder_. EC_KEY is deprecated in OpenSSL 3 but is the only fast
// way to encode a public key there; nullptr (fall back to the slow path) if anything fails.
EvpPkeyPtr legacy_public_key_copy(EVP_PKEY* key) {
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
    EC_KEY* ec = EVP_PKEY_get1_EC_KEY(key);
    if (!ec) return nullptr;
    EvpPkeyPtr legacy(EVP_PKEY_new());
    if (!legacy || EVP_PKEY_assign_EC_KEY(legacy.get(), ec) != 1) {
        EC_KEY_free(ec);
        return nullptr;
    }
#pragma GCC diagnostic pop
    return legacy;
}

}  // namespace

MintedLeaf::MintedLeaf(std::string host, std::shared_ptr<x509_st> certificate,
                       std::shared_ptr<evp_pkey_st> key,
                       std::vector<std::shared_ptr<x509_st>> chain,
                       std::shared_ptr<ssl_ctx_st> server_ctx, bool per_host_ctx)
    : host_(std::move(host)),
      certificate_(std::move(certificate)),
      key_(std::move(key)),
      chain_(std::move(chain)),
      server_ctx_(std::move(server_ctx)),
      per_host_ctx_(per_host_ctx) {}

bool MintedLeaf::attach_to(SSL* ssl) const {
    bool ok = SSL_use_certificate(ssl, certificate_.get()) == 1 &&
              SSL_use_PrivateKey(ssl, key_.get()) == 1 && SSL_clear_chain_certs(ssl) == 1;
    for (const auto& cert : chain_)
        ok = ok && SSL_add1_chain_cert(ssl, cert.get()) == 1;
    return ok;
}

SSL* MintedLeaf::new_server_ssl() const {
    SslPtr ssl(SSL_new(server_ctx_.get()));
    if (!ssl || (!per_host_ctx_ && !attach_to(ssl.get()))) return nullptr;
    return ssl.release();
}

LeafIssuer::LeafIssuer(std::shared_ptr<const CertificateAuthority> ca, LeafOptions options)
    : ca_(std::move(ca)), options_(options) {
    if (!ca_) throw std::invalid_argument("LeafIssuer needs a CA");
    options_.lifetime = std::min(options_.lifetime, max_leaf_lifetime);
    EvpPkeyPtr key = generate_ec_p256_key();
    if (!key) throw std::runtime_error("cannot generate the leaf key: " + drain_openssl_errors());
    EvpPkeyPtr encoder = legacy_public_key_copy(key.get());
    drain_openssl_errors();
    leaf_public_encoder_ = encoder ? share(std::move(encoder)) : nullptr;
    leaf_key_ = share(std::move(key));
    for (X509* cert : ca_->chain_for_leaves()) {
        X509_up_ref(cert);
        chain_.push_back(share(X509Ptr(cert)));
    }
    if (!options_.per_host_ctx) {
        SslCtxPtr ctx = make_base_server_ctx();
        if (!ctx)
            throw std::runtime_error("cannot create the TLS context: " + drain_openssl_errors());
        shared_ctx_ = share(std::move(ctx));
    }
}

LeafIssuer::~LeafIssuer() = default;

evp_pkey_st* LeafIssuer::leaf_key() const {
    return leaf_key_.get();
}

LeafResult LeafIssuer::mint(std::string_view host_text) const {
    CertHostResult parsed = normalize_cert_host(host_text);
    if (!parsed.host) {
        return {nullptr,
                "cannot mint a certificate for '" + std::string(host_text) + "': " + parsed.error};
    }
    const CertHost& host = *parsed.host;
    X509* ca_cert = ca_->certificate();

    X509Ptr cert(X509_new());
    if (!cert) return {nullptr, "cannot allocate a certificate"};
    X509* c = cert.get();
    EVP_PKEY* public_key = leaf_public_encoder_ ? leaf_public_encoder_.get() : leaf_key_.get();
    const bool fits_common_name = host.name.size() <= max_common_name;
    bool ok = X509_set_version(c, X509_VERSION_3) == 1 && set_random_serial(c) &&
              set_validity(c, options_.backdate, options_.lifetime, X509_get0_notAfter(ca_cert)) &&
              X509_set_issuer_name(c, X509_get_subject_name(ca_cert)) == 1 &&
              X509_set_pubkey(c, public_key) == 1;
    if (ok && fits_common_name) {
        ok = X509_NAME_add_entry_by_txt(X509_get_subject_name(c), "CN", MBSTRING_ASC,
                                        reinterpret_cast<const unsigned char*>(host.name.c_str()),
                                        static_cast<int>(host.name.size()), -1, 0) == 1;
    }
    // RFC 5280 §4.2.1.6: with an empty subject the SAN extension must be critical.
    ok = ok && add_subject_alt_name(c, host, !fits_common_name) &&
         add_extension(c, ca_cert, NID_basic_constraints, "critical,CA:FALSE") &&
         add_extension(c, ca_cert, NID_key_usage, "critical,digitalSignature") &&
         add_extension(c, ca_cert, NID_ext_key_usage, "serverAuth") &&
         add_extension(c, ca_cert, NID_subject_key_identifier, "hash") &&
         add_extension(c, ca_cert, NID_authority_key_identifier, "keyid:always") &&
         sign_certificate(c, ca_->private_key());
    if (!ok) {
        return {nullptr,
                "cannot mint a certificate for '" + host.name + "': " + drain_openssl_errors()};
    }
    std::shared_ptr<SSL_CTX> ctx = shared_ctx_;
    if (options_.per_host_ctx) {
        SslCtxPtr own = make_host_server_ctx(c, leaf_key_.get(), chain_);
        if (!own) {
            return {nullptr, "cannot build the TLS context for '" + host.name +
                                 "': " + drain_openssl_errors()};
        }
        ctx = share(std::move(own));
    }
    return {std::make_shared<const MintedLeaf>(host.name, share(std::move(cert)), leaf_key_, chain_,
                                               std::move(ctx), options_.per_host_ctx),
            {}};
}

}  // namespace minewall::certs
