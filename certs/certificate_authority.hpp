#pragma once
// The signing CA of minewall: generated on first start (or by `minewall ca init`), or loaded from
// operator-supplied files (possibly an intermediate under a corporate root, with its chain).

#include <chrono>
#include <memory>
#include <string>
#include <vector>

struct x509_st;      // OpenSSL X509
struct evp_pkey_st;  // OpenSSL EVP_PKEY

namespace minewall::certs {

enum class CaKeyType { ecdsa_p256, rsa_3072 };

class CertificateAuthority {
  public:
    CertificateAuthority(std::shared_ptr<x509_st> certificate, std::shared_ptr<evp_pkey_st> key,
                         std::vector<std::shared_ptr<x509_st>> intermediates);

    x509_st* certificate() const { return certificate_.get(); }
    evp_pkey_st* private_key() const { return key_.get(); }
    // Certificates from the chain file, in file order (issuer of the CA first).
    const std::vector<std::shared_ptr<x509_st>>& intermediates() const { return intermediates_; }
    // What a server sends after a minted leaf: the CA certificate itself when it is not
    // self-signed (it is then an intermediate the clients do not have), then the chain file.
    std::vector<x509_st*> chain_for_leaves() const;
    std::string certificate_pem() const;

  private:
    std::shared_ptr<x509_st> certificate_;
    std::shared_ptr<evp_pkey_st> key_;
    std::vector<std::shared_ptr<x509_st>> intermediates_;
};

struct CaResult {
    std::shared_ptr<const CertificateAuthority> ca;
    std::string error;  // set when ca is null
};

struct CaGenerateOptions {
    CaKeyType key_type = CaKeyType::ecdsa_p256;
    std::string host_label;  // shown in the subject; empty = this machine's hostname
    std::chrono::seconds validity = std::chrono::hours(24 * 3650);
    std::chrono::seconds backdate = std::chrono::hours(1);  // tolerate client clock skew
};

// A new self-signed CA in memory: subject "CN=minewall CA (<host>),O=minewall",
// basicConstraints=critical,CA:TRUE,pathlen:0, keyUsage=critical,keyCertSign,cRLSign, SKI,
// random 128-bit serial.
CaResult generate_ca(const CaGenerateOptions& options = {});

struct CaFiles {
    std::string cert_path;
    std::string key_path;
    std::string chain_path;  // optional intermediates (PEM, several certificates), may be empty
};

// <dir>/ca.pem and <dir>/ca.key.
CaFiles ca_files_in(const std::string& ca_dir);
// The default CA folder for a state directory: <state_dir>/ca.
std::string ca_dir_in(const std::string& state_dir);

// Writes ca.key (created 0600 with O_EXCL, never widened) and ca.pem (0644) into `ca_dir`,
// creating the folder (0700) if needed. Refuses when either file exists unless `force`.
// Returns an error message, empty on success.
std::string save_ca(const CertificateAuthority& ca, const std::string& ca_dir, bool force);

// generate_ca + save_ca.
CaResult create_ca(const std::string& ca_dir, const CaGenerateOptions& options, bool force);

// Loads and checks: readable PEM files, key matches certificate, basicConstraints CA:TRUE,
// keyUsage (if present) allows keyCertSign, currently valid. Errors name the file and the reason.
CaResult load_ca(const CaFiles& files);

struct CaSummary {
    std::string subject;
    std::string issuer;
    std::string sha256_fingerprint;  // "AB:CD:..."
    std::string not_before;          // "2025-11-26 10:00:00 UTC"
    std::string not_after;
    std::string key;  // "ECDSA P-256"
    bool self_signed = false;
    std::size_t intermediates = 0;
};
CaSummary describe_ca(const CertificateAuthority& ca);

struct EnsuredCa {
    std::shared_ptr<const CertificateAuthority> ca;
    std::string cert_path;  // for the start-up log line ("clients must trust <path>")
    bool created = false;
    std::string error;
};
// For the proxy at start-up: loads <state_dir>/ca/ca.{pem,key} if either exists (a broken or
// expired CA is an error, never silently replaced), else creates an ECDSA P-256 CA there.
EnsuredCa ensure_ca(const std::string& state_dir);

}  // namespace minewall::certs
