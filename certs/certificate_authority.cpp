#include "certs/certificate_authority.hpp"

#include <fcntl.h>
#include <openssl/pem.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "certs/x509_fields.hpp"
#include "text/read_file.hpp"

namespace minewall::certs {
namespace {

constexpr std::size_t max_common_name = 64;  // RFC 5280 ub-common-name

std::string errno_text() {
    return std::strerror(errno);
}

std::string this_host_name() {
    char buf[256] = {};
    if (gethostname(buf, sizeof buf - 1) != 0 || buf[0] == '\0') return "localhost";
    return buf;
}

std::string ca_common_name(std::string host) {
    const std::string prefix = "minewall CA (";
    const std::size_t room = max_common_name - prefix.size() - 1;
    if (host.size() > room) host.resize(room);
    return prefix + host + ")";
}

bool add_name_entry(X509_NAME* name, const char* field, const std::string& value) {
    return X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8,
                                      reinterpret_cast<const unsigned char*>(value.c_str()),
                                      static_cast<int>(value.size()), -1, 0) == 1;
}

CaResult ca_error(std::string message) {
    const std::string detail = drain_openssl_errors();
    if (!detail.empty()) message += " (" + detail + ")";
    return {nullptr, std::move(message)};
}

// Reads a whole file, with the OS reason on failure.
bool read_file(const std::string& path, std::string& out, std::string& error) {
    auto file = text::read_file(path);
    if (!file.content) {
        error = "cannot read '" + path + "': " + file.error;
        return false;
    }
    out = std::move(*file.content);
    return true;
}

// Encrypted keys would make OpenSSL prompt on the terminal; refuse them instead.
int no_passphrase(char*, int, int, void*) {
    return -1;
}

// Creates `path` exclusively with `mode` from the first byte (no chmod window) and writes `data`.
std::string write_new_file(const std::string& path, const std::string& data, mode_t mode) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
    if (fd < 0) return "cannot create '" + path + "': " + errno_text();
    std::size_t written = 0;
    while (written < data.size()) {
        const ssize_t n = ::write(fd, data.data() + written, data.size() - written);
        if (n < 0) {
            if (errno == EINTR) continue;
            const std::string error = "cannot write '" + path + "': " + errno_text();
            ::close(fd);
            return error;
        }
        written += static_cast<std::size_t>(n);
    }
    if (::fsync(fd) != 0 || ::close(fd) != 0) return "cannot write '" + path + "': " + errno_text();
    return {};
}

std::string private_key_pem(EVP_PKEY* key) {
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio ||
        PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
        return {};
    }
    char* data = nullptr;
    const long length = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(length));
}

std::string make_ca_dir(const std::string& dir) {
    std::error_code ec;
    const std::filesystem::path path(dir);
    if (std::filesystem::is_directory(path, ec)) return {};
    if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path(), ec);
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
        return "cannot create CA folder '" + dir + "': " + errno_text();
    }
    return {};
}

bool is_self_signed(X509* cert) {
    return X509_check_issued(cert, cert) == X509_V_OK;
}

}  // namespace

CertificateAuthority::CertificateAuthority(std::shared_ptr<x509_st> certificate,
                                           std::shared_ptr<evp_pkey_st> key,
                                           std::vector<std::shared_ptr<x509_st>> intermediates)
    : certificate_(std::move(certificate)),
      key_(std::move(key)),
      intermediates_(std::move(intermediates)) {}

std::vector<x509_st*> CertificateAuthority::chain_for_leaves() const {
    std::vector<x509_st*> chain;
    if (!is_self_signed(certificate_.get())) chain.push_back(certificate_.get());
    for (const auto& cert : intermediates_)
        chain.push_back(cert.get());
    return chain;
}

std::string CertificateAuthority::certificate_pem() const {
    return certs::certificate_pem(certificate_.get());
}

CaResult generate_ca(const CaGenerateOptions& options) {
    EvpPkeyPtr key =
        options.key_type == CaKeyType::rsa_3072 ? generate_rsa_key(3072) : generate_ec_p256_key();
    if (!key) return ca_error("cannot generate the CA key");

    X509Ptr cert(X509_new());
    if (!cert) return ca_error("cannot allocate the CA certificate");
    X509_NAME* name = X509_get_subject_name(cert.get());
    const std::string host = options.host_label.empty() ? this_host_name() : options.host_label;
    const bool ok =
        X509_set_version(cert.get(), X509_VERSION_3) == 1 && set_random_serial(cert.get()) &&
        set_validity(cert.get(), options.backdate, options.validity) &&
        add_name_entry(name, "CN", ca_common_name(host)) && add_name_entry(name, "O", "minewall") &&
        X509_set_issuer_name(cert.get(), name) == 1 &&
        X509_set_pubkey(cert.get(), key.get()) == 1 &&
        add_extension(cert.get(), cert.get(), NID_basic_constraints,
                      "critical,CA:TRUE,pathlen:0") &&
        add_extension(cert.get(), cert.get(), NID_key_usage, "critical,keyCertSign,cRLSign") &&
        add_extension(cert.get(), cert.get(), NID_subject_key_identifier, "hash") &&
        add_extension(cert.get(), cert.get(), NID_authority_key_identifier, "keyid:always") &&
        sign_certificate(cert.get(), key.get());
    if (!ok) return ca_error("cannot build the CA certificate");
    return {
        std::make_shared<const CertificateAuthority>(share(std::move(cert)), share(std::move(key)),
                                                     std::vector<std::shared_ptr<X509>>{}),
        {}};
}

CaFiles ca_files_in(const std::string& ca_dir) {
    const std::filesystem::path dir(ca_dir);
    return {(dir / "ca.pem").string(), (dir / "ca.key").string(), {}};
}

std::string ca_dir_in(const std::string& state_dir) {
    return (std::filesystem::path(state_dir) / "ca").string();
}

std::string save_ca(const CertificateAuthority& ca, const std::string& ca_dir, bool force) {
    const CaFiles files = ca_files_in(ca_dir);
    std::error_code ec;
    const bool exists =
        std::filesystem::exists(std::filesystem::symlink_status(files.cert_path, ec)) ||
        std::filesystem::exists(std::filesystem::symlink_status(files.key_path, ec));
    if (exists && !force) {
        return "a CA already exists in '" + ca_dir + "' (use --force to replace it)";
    }
    if (auto error = make_ca_dir(ca_dir); !error.empty()) return error;
    if (force) {
        for (const auto& path : {files.key_path, files.cert_path}) {
            if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
                return "cannot remove '" + path + "': " + errno_text();
            }
        }
    }
    const std::string key_pem = private_key_pem(ca.private_key());
    const std::string cert_pem = ca.certificate_pem();
    if (key_pem.empty() || cert_pem.empty()) return "cannot encode the CA as PEM";

    if (auto error = write_new_file(files.key_path, key_pem, 0600); !error.empty()) return error;
    if (auto error = write_new_file(files.cert_path, cert_pem, 0644); !error.empty()) {
        ::unlink(files.key_path.c_str());  // never leave half a CA that blocks the next attempt
        return error;
    }
    return {};
}

CaResult create_ca(const std::string& ca_dir, const CaGenerateOptions& options, bool force) {
    CaResult generated = generate_ca(options);
    if (!generated.ca) return generated;
    if (auto error = save_ca(*generated.ca, ca_dir, force); !error.empty()) return {nullptr, error};
    return generated;
}

CaResult load_ca(const CaFiles& files) {
    std::string text;
    std::string error;
    if (!read_file(files.cert_path, text, error)) return {nullptr, "CA certificate: " + error};
    BioPtr cert_bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
    X509Ptr cert(PEM_read_bio_X509(cert_bio.get(), nullptr, nullptr, nullptr));
    if (!cert) return ca_error("'" + files.cert_path + "' holds no PEM certificate");

    if (!read_file(files.key_path, text, error)) return {nullptr, "CA key: " + error};
    BioPtr key_bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
    EvpPkeyPtr key(PEM_read_bio_PrivateKey(key_bio.get(), nullptr, no_passphrase, nullptr));
    if (!key) {
        return ca_error("'" + files.key_path +
                        "' holds no unencrypted PEM private key (passphrases are not supported)");
    }
    if (X509_check_private_key(cert.get(), key.get()) != 1) {
        drain_openssl_errors();
        return {nullptr, "CA key '" + files.key_path + "' does not match certificate '" +
                             files.cert_path + "'"};
    }
    const uint32_t flags = X509_get_extension_flags(cert.get());
    if (!(flags & EXFLAG_CA)) {
        return {nullptr, "'" + files.cert_path +
                             "' is not a CA certificate (basicConstraints CA:TRUE is missing)"};
    }
    if ((flags & EXFLAG_KUSAGE) && !(X509_get_key_usage(cert.get()) & KU_KEY_CERT_SIGN)) {
        return {nullptr, "'" + files.cert_path +
                             "' may not sign certificates (keyUsage lacks "
                             "keyCertSign)"};
    }
    if (X509_cmp_current_time(X509_get0_notAfter(cert.get())) <= 0) {
        return {nullptr, "CA certificate '" + files.cert_path + "' expired on " +
                             format_time(X509_get0_notAfter(cert.get()))};
    }
    if (X509_cmp_current_time(X509_get0_notBefore(cert.get())) >= 0) {
        return {nullptr, "CA certificate '" + files.cert_path + "' is not valid before " +
                             format_time(X509_get0_notBefore(cert.get()))};
    }

    std::vector<std::shared_ptr<X509>> intermediates;
    if (!files.chain_path.empty()) {
        if (!read_file(files.chain_path, text, error)) return {nullptr, "CA chain: " + error};
        BioPtr chain_bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
        while (X509* next = PEM_read_bio_X509(chain_bio.get(), nullptr, nullptr, nullptr)) {
            intermediates.push_back(share(X509Ptr(next)));
        }
        drain_openssl_errors();  // the reader ends with "no start line" at end of file
        if (intermediates.empty()) {
            return {nullptr, "CA chain '" + files.chain_path + "' holds no PEM certificate"};
        }
    }
    return {std::make_shared<const CertificateAuthority>(
                share(std::move(cert)), share(std::move(key)), std::move(intermediates)),
            {}};
}

CaSummary describe_ca(const CertificateAuthority& ca) {
    X509* cert = ca.certificate();
    CaSummary s;
    s.subject = format_name(X509_get_subject_name(cert));
    s.issuer = format_name(X509_get_issuer_name(cert));
    s.sha256_fingerprint = sha256_fingerprint(cert);
    s.not_before = format_time(X509_get0_notBefore(cert));
    s.not_after = format_time(X509_get0_notAfter(cert));
    s.key = describe_key(ca.private_key());
    s.self_signed = is_self_signed(cert);
    s.intermediates = ca.intermediates().size();
    return s;
}

EnsuredCa ensure_ca(const std::string& state_dir) {
    const std::string dir = ca_dir_in(state_dir);
    const CaFiles files = ca_files_in(dir);
    EnsuredCa out;
    out.cert_path = files.cert_path;
    std::error_code ec;
    const bool present =
        std::filesystem::exists(files.cert_path, ec) || std::filesystem::exists(files.key_path, ec);
    CaResult result = present ? load_ca(files) : create_ca(dir, CaGenerateOptions{}, false);
    out.ca = std::move(result.ca);
    out.error = std::move(result.error);
    out.created = !present && out.ca != nullptr;
    return out;
}

}  // namespace minewall::certs
