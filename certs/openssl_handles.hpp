#pragma once
// Owning smart pointers for the OpenSSL objects the certs module passes around. Included only by
// .cpp files and tests: the public headers forward-declare the OpenSSL structs instead.

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <string>

namespace minewall::certs {

template <auto Free>
struct OpenSslFree {
    template <typename T>
    void operator()(T* p) const {
        Free(p);
    }
};

using BioPtr = std::unique_ptr<BIO, OpenSslFree<BIO_free_all>>;
using BignumPtr = std::unique_ptr<BIGNUM, OpenSslFree<BN_free>>;
using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, OpenSslFree<EVP_PKEY_free>>;
using EvpPkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, OpenSslFree<EVP_PKEY_CTX_free>>;
using X509Ptr = std::unique_ptr<X509, OpenSslFree<X509_free>>;
using X509ExtensionPtr = std::unique_ptr<X509_EXTENSION, OpenSslFree<X509_EXTENSION_free>>;
using X509NamePtr = std::unique_ptr<X509_NAME, OpenSslFree<X509_NAME_free>>;
using X509StorePtr = std::unique_ptr<X509_STORE, OpenSslFree<X509_STORE_free>>;
using X509StoreCtxPtr = std::unique_ptr<X509_STORE_CTX, OpenSslFree<X509_STORE_CTX_free>>;
using GeneralNamesPtr = std::unique_ptr<GENERAL_NAMES, OpenSslFree<GENERAL_NAMES_free>>;
using SslCtxPtr = std::unique_ptr<SSL_CTX, OpenSslFree<SSL_CTX_free>>;
using SslPtr = std::unique_ptr<SSL, OpenSslFree<SSL_free>>;

// Shared ownership for objects handed out of the module (SSL_CTX per host, certificates).
inline std::shared_ptr<SSL_CTX> share(SslCtxPtr ctx) {
    return std::shared_ptr<SSL_CTX>(ctx.release(), SSL_CTX_free);
}
inline std::shared_ptr<X509> share(X509Ptr cert) {
    return std::shared_ptr<X509>(cert.release(), X509_free);
}
inline std::shared_ptr<EVP_PKEY> share(EvpPkeyPtr key) {
    return std::shared_ptr<EVP_PKEY>(key.release(), EVP_PKEY_free);
}

// The queued OpenSSL error messages, joined with "; " (empty when none), and the queue cleared.
std::string drain_openssl_errors();

}  // namespace minewall::certs
