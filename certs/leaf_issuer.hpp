#pragma once
// Mints the per-host leaf certificates a bumped client sees, signed by the minewall CA, ready to
// serve (by default each in its own server SSL_CTX). One ECDSA P-256 leaf key, generated when the
// issuer is built, is shared by every leaf: never the CA key, and no per-host key generation on the
// hot path.

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "certs/certificate_authority.hpp"

struct ssl_ctx_st;   // OpenSSL SSL_CTX
struct ssl_st;       // OpenSSL SSL
struct x509_st;      // OpenSSL X509
struct evp_pkey_st;  // OpenSSL EVP_PKEY

namespace minewall::certs {

// One host's identity: the leaf certificate, ready to serve with TLS 1.2-1.3, ALPN answering
// only "http/1.1", session tickets on, SSL_MODE_RELEASE_BUFFERS.
class MintedLeaf {
  public:
    MintedLeaf(std::string host, std::shared_ptr<x509_st> certificate,
               std::shared_ptr<evp_pkey_st> key, std::vector<std::shared_ptr<x509_st>> chain,
               std::shared_ptr<ssl_ctx_st> server_ctx, bool per_host_ctx);

    const std::string& host() const { return host_; }  // normalized name the leaf was issued to
    x509_st* certificate() const { return certificate_.get(); }

    // A new server SSL for this host with leaf, key and chain in place (caller owns it: SSL_free,
    // or hand it to asio::ssl::stream's native-handle constructor). Works in both context modes.
    // nullptr on allocation failure.
    ssl_st* new_server_ssl() const;

    // Per-host mode (the default): a context holding this leaf, key and chain, so SSL_new on it
    // is enough. Shared mode: the issuer's one context without a certificate, so use
    // new_server_ssl() or attach_to(). Keep the shared_ptr alive while connections use it.
    ssl_ctx_st* server_ctx() const { return server_ctx_.get(); }
    const std::shared_ptr<ssl_ctx_st>& shared_server_ctx() const { return server_ctx_; }
    bool has_own_ctx() const { return per_host_ctx_; }

    // Installs leaf, key and chain on an SSL made from any server context. false on failure.
    bool attach_to(ssl_st* ssl) const;

  private:
    std::string host_;
    std::shared_ptr<x509_st> certificate_;
    std::shared_ptr<evp_pkey_st> key_;
    std::vector<std::shared_ptr<x509_st>> chain_;
    std::shared_ptr<ssl_ctx_st> server_ctx_;
    bool per_host_ctx_ = true;
};

struct LeafResult {
    std::shared_ptr<const MintedLeaf> leaf;
    std::string error;  // set when leaf is null (invalid host name, OpenSSL failure)
};

// Browsers reject leaves valid for more than 398 days; 397 leaves a day of margin.
inline constexpr std::chrono::seconds max_leaf_lifetime = std::chrono::hours(24 * 397);

struct LeafOptions {
    std::chrono::seconds lifetime = max_leaf_lifetime;      // capped at max_leaf_lifetime
    std::chrono::seconds backdate = std::chrono::hours(1);  // tolerate client clock skew
    // true: every leaf gets its own SSL_CTX (~13 KB and ~150 us more per mint with OpenSSL 3.0,
    // so ~130 MB for 10,000 cached hosts); false: all leaves share one context and
    // new_server_ssl()/attach_to() install the certificate per connection (~2 KB per host).
    bool per_host_ctx = true;
};

class LeafIssuer {
  public:
    // Generates the shared leaf key. Throws std::runtime_error if
    // OpenSSL cannot (start-up only).
    explicit LeafIssuer(std::shared_ptr<const CertificateAuthority> ca, LeafOptions options = {});
    ~LeafIssuer();
    LeafIssuer(const LeafIssuer&) = delete;
    LeafIssuer& operator=(const LeafIssuer&) = delete;

    // Thread-safe. `host` is an SNI name or an IP literal ("[::1]" accepted); the leaf carries
    // SAN dNSName or iPAddress, CN = host when it fits in 64 bytes (else no CN, SAN critical),
    // validity backdated and capped, random 128-bit serial, SKI/AKI, CA:FALSE,
    // keyUsage=digitalSignature, extendedKeyUsage=serverAuth, issuer = CA subject.
    LeafResult mint(std::string_view host) const;

    evp_pkey_st* leaf_key() const;
    const CertificateAuthority& ca() const { return *ca_; }

  private:
    std::shared_ptr<const CertificateAuthority> ca_;
    LeafOptions options_;
    std::shared_ptr<evp_pkey_st> leaf_key_;
    // The same public key as a legacy EC_KEY-backed EVP_PKEY, used only to write the leaf's
    // SubjectPublicKeyInfo: with OpenSSL 3.0 that takes ~7 us instead of ~230 us through the
    // provider encoders. Signing always uses leaf_key_.
    std::shared_ptr<evp_pkey_st> leaf_public_encoder_;
    std::vector<std::shared_ptr<x509_st>> chain_;
    std::shared_ptr<ssl_ctx_st> shared_ctx_;  // used when !options_.per_host_ctx
};

}  // namespace minewall::certs
