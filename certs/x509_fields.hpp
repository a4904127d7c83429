#pragma once
// Building blocks shared by the CA and leaf minting: serials, validity windows, v3 extensions,
// signing, and the read-only views (fingerprint, dates) that `ca show` and tests print.
// Internal to the certs module; includes OpenSSL.

#include <chrono>
#include <string>

#include "certs/openssl_handles.hpp"

namespace minewall::certs {

// A fresh EC P-256 or RSA key; nullptr (and the error queue filled) on failure.
EvpPkeyPtr generate_ec_p256_key();
EvpPkeyPtr generate_rsa_key(int bits);

// A random positive serial of up to 128 bits, never zero (RFC 5280 §4.1.2.2 allows 20 octets).
bool set_random_serial(X509* cert);

// notBefore = now - backdate, notAfter = notBefore + lifetime, clamped to `not_after_limit` when
// given (a leaf must not outlive its issuer).
bool set_validity(X509* cert, std::chrono::seconds backdate, std::chrono::seconds lifetime,
                  const ASN1_TIME* not_after_limit = nullptr);

// Adds an extension given in openssl.cnf syntax ("critical,CA:TRUE,pathlen:0"). `issuer` is
// the certificate whose key identifier an authorityKeyIdentifier refers to.
bool add_extension(X509* cert, X509* issuer, int nid, const char* value);

// SHA-256 for RSA/EC keys; no digest for Ed25519/Ed448 keys, which sign the message directly.
bool sign_certificate(X509* cert, EVP_PKEY* issuer_key);

// "AB:CD:..." upper-case hex of the SHA-256 over the DER certificate.
std::string sha256_fingerprint(const X509* cert);

// "2025-11-26 10:00:00 UTC".
std::string format_time(const ASN1_TIME* time);

// RFC 2253 escaping, in certificate order (not reversed), e.g. "CN=minewall CA (gw1),O=minewall".
std::string format_name(const X509_NAME* name);

// "ECDSA P-256", "RSA 3072", ...
std::string describe_key(const EVP_PKEY* key);

std::string certificate_pem(X509* cert);

}  // namespace minewall::certs
