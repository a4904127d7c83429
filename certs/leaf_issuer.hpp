#pragma once
// Mints the per-host leaf certificates a bumped client sees, signed by the minewall CA, and wraps
// each in a ready server SSL_CTX. One ECDSA P-256 leaf key, generated when the issuer is built,
// is shared by every leaf: never the CA key, and no per-host key generation on the hot path.

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "certs/certificate_authority.hpp"

struct ssl_ctx_st;   // OpenSSL SSL_CTX
struct x509_st;      // OpenSSL X509
struct evp_pkey_st;  // OpenSSL EVP_PKEY

namespace minewall::certs {

// One host's identity: the leaf certificate and a server SSL_CTX loaded with leaf + key + chain,
// TLS 1.2-1.3, ALPN answering only "http/1.1", session tickets on, SSL_MODE_RELEASE_BUFFERS.
class MintedLeaf {
  public:
    MintedLeaf(std::string host, std::shared_ptr<x509_st> certificate,
               std::shared_ptr<ssl_ctx_st> server_ctx);

    const std::string& host() const { return host_; }  // normalized name the leaf was issued to
    x509_st* certificate() const { return certificate_.get(); }
    // SSL_new(server_ctx()) gives a server SSL for this host; keep a copy of the shared_ptr (or
    // of this MintedLeaf) alive while the connection uses it.
    ssl_ctx_st* server_ctx() const { return server_ctx_.get(); }
    const std::shared_ptr<ssl_ctx_st>& shared_server_ctx() const { return server_ctx_; }

  private:
    std::string host_;
    std::shared_ptr<x509_st> certificate_;
    std::shared_ptr<ssl_ctx_st> server_ctx_;
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
};

class LeafIssuer {
  public:
    // Generates the shared leaf key. Throws std::runtime_error if OpenSSL cannot (start-up only).
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
};

}  // namespace minewall::certs
