#include "certs/certificate_authority.hpp"

#include <doctest/doctest.h>
#include <openssl/pem.h>
#include <sys/stat.h>

#include <fstream>

#include "certs/leaf_issuer.hpp"
#include "certs/openssl_handles.hpp"
#include "certs/x509_fields.hpp"
#include "tests/unit/certs/scratch_dir.hpp"

using namespace minewall::certs;
using minewall::test::ScratchDir;

namespace {

std::string read_text(const std::string& path) {
    std::ifstream in(path);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void write_text(const std::string& path, const std::string& text) {
    std::ofstream(path, std::ios::trunc) << text;
}

bool has_extension(X509* cert, int nid, bool critical) {
    const int index = X509_get_ext_by_NID(cert, nid, -1);
    return index >= 0 && (X509_EXTENSION_get_critical(X509_get_ext(cert, index)) == 1) == critical;
}

}  // namespace

TEST_CASE("creates an ECDSA P-256 CA with CA extensions, 10-year validity and a named subject") {
    CaResult r = generate_ca({.host_label = "gw1.example"});
    REQUIRE(r.ca);
    X509* cert = r.ca->certificate();
    CHECK(EVP_PKEY_get_base_id(r.ca->private_key()) == EVP_PKEY_EC);
    CHECK(X509_check_ca(cert) != 0);
    CHECK((X509_get_extension_flags(cert) & EXFLAG_CA) != 0);
    CHECK(X509_get_pathlen(cert) == 0);
    CHECK(X509_get_key_usage(cert) == (KU_KEY_CERT_SIGN | KU_CRL_SIGN));
    CHECK(has_extension(cert, NID_basic_constraints, true));
    CHECK(has_extension(cert, NID_key_usage, true));
    CHECK(X509_get0_subject_key_id(cert) != nullptr);

    const CaSummary s = describe_ca(*r.ca);
    CHECK(s.subject == "CN=minewall CA (gw1.example),O=minewall");
    CHECK(s.self_signed);
    CHECK(s.key == "ECDSA P-256");
    CHECK(s.sha256_fingerprint.size() == 32 * 3 - 1);

    int days = 0;
    int seconds = 0;
    REQUIRE(ASN1_TIME_diff(&days, &seconds, X509_get0_notBefore(cert), X509_get0_notAfter(cert)));
    CHECK(days == 3650);
    CHECK(r.ca->chain_for_leaves().empty());  // a self-signed root is not sent
}

TEST_CASE("keeps the CA common name within 64 bytes for long host names") {
    CaResult r = generate_ca({.host_label = std::string(100, 'h')});
    REQUIRE(r.ca);
    X509_NAME* name = X509_get_subject_name(r.ca->certificate());
    char cn[256] = {};
    const int length = X509_NAME_get_text_by_NID(name, NID_commonName, cn, sizeof cn);
    CHECK(length == 64);
}

TEST_CASE("writes the CA key with mode 0600 and loads the CA back") {
    ScratchDir dir;
    const std::string ca_dir = dir / "state/ca";
    CaResult created = create_ca(ca_dir, {.host_label = "t"}, false);
    REQUIRE_MESSAGE(created.ca, created.error);
    struct stat st {};
    REQUIRE(stat((dir / "state/ca/ca.key").c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    REQUIRE(stat(ca_dir.c_str(), &st) == 0);
    CHECK((st.st_mode & 0077) == 0);

    CaResult loaded = load_ca(ca_files_in(ca_dir));
    REQUIRE_MESSAGE(loaded.ca, loaded.error);
    CHECK(describe_ca(*loaded.ca).sha256_fingerprint ==
          describe_ca(*created.ca).sha256_fingerprint);
}

TEST_CASE("refuses to overwrite an existing CA unless forced") {
    ScratchDir dir;
    CaResult first = create_ca(dir.path().string(), {.host_label = "t"}, false);
    REQUIRE(first.ca);
    CaResult second = create_ca(dir.path().string(), {.host_label = "t"}, false);
    CHECK_FALSE(second.ca);
    CHECK(second.error.find("already exists") != std::string::npos);
    CHECK(describe_ca(*load_ca(ca_files_in(dir.path().string())).ca).sha256_fingerprint ==
          describe_ca(*first.ca).sha256_fingerprint);

    CaResult forced = create_ca(dir.path().string(), {.host_label = "t"}, true);
    REQUIRE(forced.ca);
    CHECK(describe_ca(*load_ca(ca_files_in(dir.path().string())).ca).sha256_fingerprint ==
          describe_ca(*forced.ca).sha256_fingerprint);
    struct stat st {};
    REQUIRE(stat((dir / "ca.key").c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
}

TEST_CASE("refuses to overwrite when only the key is left") {
    ScratchDir dir;
    write_text(dir / "ca.key", "precious");
    CHECK_FALSE(create_ca(dir.path().string(), {.host_label = "t"}, false).ca);
    CHECK(read_text(dir / "ca.key") == "precious");
}

TEST_CASE("creates an RSA-3072 CA on request") {
    CaResult r = generate_ca({.key_type = CaKeyType::rsa_3072, .host_label = "t"});
    REQUIRE(r.ca);
    CHECK(describe_ca(*r.ca).key == "RSA 3072");
    LeafIssuer issuer(r.ca);
    LeafResult leaf = issuer.mint("rsa-signed.example");
    REQUIRE(leaf.leaf);
    CHECK(X509_verify(leaf.leaf->certificate(), r.ca->private_key()) == 1);
}

TEST_CASE("explains load failures") {
    ScratchDir dir;
    const std::string a = dir / "a";
    const std::string b = dir / "b";
    REQUIRE(create_ca(a, {.host_label = "a"}, false).ca);
    REQUIRE(create_ca(b, {.host_label = "b"}, false).ca);

    SUBCASE("missing file") {
        CaResult r = load_ca(ca_files_in(dir / "nowhere"));
        CHECK_FALSE(r.ca);
        CHECK(r.error.find("cannot read") != std::string::npos);
        CHECK(r.error.find("No such file") != std::string::npos);
    }
    SUBCASE("not PEM") {
        write_text(dir / "junk.pem", "hello");
        CaResult r = load_ca({dir / "junk.pem", ca_files_in(a).key_path, ""});
        CHECK_FALSE(r.ca);
        CHECK(r.error.find("no PEM certificate") != std::string::npos);
    }
    SUBCASE("key of another CA") {
        CaResult r = load_ca({ca_files_in(a).cert_path, ca_files_in(b).key_path, ""});
        CHECK_FALSE(r.ca);
        CHECK(r.error.find("does not match") != std::string::npos);
    }
    SUBCASE("a leaf certificate is not a CA") {
        LeafIssuer issuer(load_ca(ca_files_in(a)).ca);
        LeafResult leaf = issuer.mint("leaf.example");
        REQUIRE(leaf.leaf);
        write_text(dir / "leaf.pem", certificate_pem(leaf.leaf->certificate()));
        BioPtr bio(BIO_new_file((dir / "leaf.key").c_str(), "w"));
        REQUIRE(PEM_write_bio_PrivateKey(bio.get(), issuer.leaf_key(), nullptr, nullptr, 0, nullptr,
                                         nullptr) == 1);
        bio.reset();
        CaResult r = load_ca({dir / "leaf.pem", dir / "leaf.key", ""});
        CHECK_FALSE(r.ca);
        CHECK(r.error.find("not a CA") != std::string::npos);
    }
    SUBCASE("expired CA") {
        CaGenerateOptions old{.host_label = "old",
                              .validity = std::chrono::hours(24 * 10),
                              .backdate = std::chrono::hours(24 * 20)};
        REQUIRE(create_ca(dir / "old", old, false).ca);
        CaResult r = load_ca(ca_files_in(dir / "old"));
        CHECK_FALSE(r.ca);
        CHECK(r.error.find("expired") != std::string::npos);
    }
    SUBCASE("intermediate chain file") {
        CaFiles files = ca_files_in(a);
        files.chain_path = ca_files_in(b).cert_path;
        CaResult r = load_ca(files);
        REQUIRE_MESSAGE(r.ca, r.error);
        CHECK(r.ca->intermediates().size() == 1);
        CHECK(r.ca->chain_for_leaves().size() == 1);
        files.chain_path = dir / "empty.pem";
        write_text(files.chain_path, "");
        CHECK(load_ca(files).error.find("no PEM certificate") != std::string::npos);
    }
}

TEST_CASE("ensure_ca creates a CA once and loads it afterwards") {
    ScratchDir dir;
    EnsuredCa first = ensure_ca(dir.path().string());
    REQUIRE_MESSAGE(first.ca, first.error);
    CHECK(first.created);
    CHECK(first.cert_path == dir / "ca/ca.pem");
    EnsuredCa second = ensure_ca(dir.path().string());
    REQUIRE(second.ca);
    CHECK_FALSE(second.created);
    CHECK(describe_ca(*second.ca).sha256_fingerprint == describe_ca(*first.ca).sha256_fingerprint);

    write_text(dir / "ca/ca.key", "broken");
    EnsuredCa broken = ensure_ca(dir.path().string());
    CHECK_FALSE(broken.ca);
    CHECK_FALSE(broken.error.empty());
    CHECK(read_text(dir / "ca/ca.key") == "broken");  // never silently replaced
}
