#include "certs/x509_fields.hpp"

#include <fmt/format.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

#include <ctime>

namespace minewall::certs {

EvpPkeyPtr generate_ec_p256_key() {
    return EvpPkeyPtr(EVP_EC_gen("P-256"));
}

EvpPkeyPtr generate_rsa_key(int bits) {
    return EvpPkeyPtr(EVP_RSA_gen(static_cast<unsigned int>(bits)));
}

bool set_random_serial(X509* cert) {
    BignumPtr serial(BN_new());
    if (!serial) return false;
    do {
        if (BN_rand(serial.get(), 128, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1) return false;
    } while (BN_is_zero(serial.get()));
    ASN1_INTEGER* value = BN_to_ASN1_INTEGER(serial.get(), nullptr);
    if (!value) return false;
    const bool ok = X509_set_serialNumber(cert, value) == 1;
    ASN1_INTEGER_free(value);
    return ok;
}

bool set_validity(X509* cert, std::chrono::seconds backdate, std::chrono::seconds lifetime,
                  const ASN1_TIME* not_after_limit) {
    const std::time_t now = std::time(nullptr);
    std::time_t start = now - static_cast<std::time_t>(backdate.count());
    if (!X509_time_adj_ex(X509_getm_notBefore(cert), 0, 0, &start)) return false;
    const long days = static_cast<long>(lifetime.count() / 86400);
    const long seconds = static_cast<long>(lifetime.count() % 86400);
    if (!X509_time_adj_ex(X509_getm_notAfter(cert), static_cast<int>(days), seconds, &start)) {
        return false;
    }
    if (not_after_limit && ASN1_TIME_compare(X509_get0_notAfter(cert), not_after_limit) > 0) {
        return X509_set1_notAfter(cert, not_after_limit) == 1;
    }
    return true;
}

bool add_extension(X509* cert, X509* issuer, int nid, const char* value) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
    X509ExtensionPtr ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value));
    return ext && X509_add_ext(cert, ext.get(), -1) == 1;
}

bool sign_certificate(X509* cert, EVP_PKEY* issuer_key) {
    const int id = EVP_PKEY_get_base_id(issuer_key);
    const EVP_MD* md = (id == EVP_PKEY_ED25519 || id == EVP_PKEY_ED448) ? nullptr : EVP_sha256();
    return X509_sign(cert, issuer_key, md) > 0;
}

std::string sha256_fingerprint(const X509* cert) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (X509_digest(cert, EVP_sha256(), digest, &length) != 1) return {};
    std::string out;
    for (unsigned int i = 0; i < length; ++i) {
        if (i) out += ':';
        out += fmt::format("{:02X}", digest[i]);
    }
    return out;
}

std::string format_time(const ASN1_TIME* time) {
    std::tm tm{};
    if (!time || ASN1_TIME_to_tm(time, &tm) != 1) return "(invalid time)";
    char buf[64];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm);
    return buf;
}

std::string format_name(const X509_NAME* name) {
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio ||
        X509_NAME_print_ex(bio.get(), name, 0,
                           (XN_FLAG_RFC2253 & ~XN_FLAG_DN_REV & ~ASN1_STRFLGS_ESC_MSB)) < 0) {
        return {};
    }
    char* data = nullptr;
    const long length = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(length));
}

std::string describe_key(const EVP_PKEY* key) {
    const int id = EVP_PKEY_get_base_id(key);
    const int bits = EVP_PKEY_get_bits(key);
    if (id == EVP_PKEY_EC) {
        char group[64] = {};
        std::size_t length = 0;
        if (EVP_PKEY_get_group_name(key, group, sizeof group, &length) == 1) {
            const std::string name(group, length);
            return "ECDSA " + (name == "prime256v1" ? std::string("P-256") : name);
        }
        return fmt::format("ECDSA {} bits", bits);
    }
    if (id == EVP_PKEY_RSA) return fmt::format("RSA {}", bits);
    if (id == EVP_PKEY_ED25519) return "Ed25519";
    return fmt::format("{} {} bits", OBJ_nid2sn(id), bits);
}

std::string certificate_pem(X509* cert) {
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio || PEM_write_bio_X509(bio.get(), cert) != 1) return {};
    char* data = nullptr;
    const long length = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(length));
}

}  // namespace minewall::certs
