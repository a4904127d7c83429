#include "proxy/tunnel/tls_interception.hpp"

#include <openssl/ssl.h>

#include <algorithm>
#include <filesystem>

#include "certs/certificate_authority.hpp"
#include "certs/leaf_issuer.hpp"
#include "certs/upstream_tls.hpp"
#include "text/ascii_text.hpp"

namespace minewall::proxy {

bool matches_domain_list(std::string_view host, const std::vector<std::string>& domains) {
    std::string h = text::to_lower(host);
    while (!h.empty() && h.back() == '.')
        h.pop_back();
    for (const auto& d : domains) {
        std::string domain = text::to_lower(d);
        if (!domain.empty() && domain.front() == '.') domain.erase(0, 1);
        if (domain.empty()) continue;
        if (h == domain) return true;
        if (h.size() > domain.size() && h.ends_with(domain) &&
            h[h.size() - domain.size() - 1] == '.')
            return true;
    }
    return false;
}

TlsInterception::CreateResult TlsInterception::create(const config::TlsConfig& config,
                                                      const std::string& state_dir) {
    CreateResult result;
    std::shared_ptr<const certs::CertificateAuthority> ca;
    if (!config.ca_cert_file.empty()) {
        // An operator's CA is never created or replaced here: it must load and check out.
        auto loaded =
            certs::load_ca({config.ca_cert_file, config.ca_key_file, config.ca_chain_file});
        if (!loaded.ca) {
            result.error = loaded.error;
            return result;
        }
        ca = loaded.ca;
        result.ca_cert_path = config.ca_cert_file;
    } else if (config.ca_dir.empty()) {
        auto ensured = certs::ensure_ca(state_dir);
        if (!ensured.ca) {
            result.error = ensured.error;
            return result;
        }
        ca = ensured.ca;
        result.ca_cert_path = ensured.cert_path;
        result.ca_created = ensured.created;
    } else {
        auto files = certs::ca_files_in(config.ca_dir);
        files.chain_path = config.ca_chain_file;
        std::error_code ignored;
        bool exists = std::filesystem::exists(files.cert_path, ignored) ||
                      std::filesystem::exists(files.key_path, ignored);
        auto loaded = exists ? certs::load_ca(files) : certs::create_ca(config.ca_dir, {}, false);
        if (!loaded.ca) {
            result.error = loaded.error;
            return result;
        }
        ca = loaded.ca;
        result.ca_cert_path = files.cert_path;
        result.ca_created = !exists;
    }
    auto interception = std::unique_ptr<TlsInterception>(new TlsInterception());
    certs::LeafOptions leaf_options;
    // One shared server context: ~2 KB per cached host instead of ~13 KB with a context each.
    leaf_options.per_host_ctx = false;
    try {
        interception->issuer_ = std::make_shared<const certs::LeafIssuer>(ca, leaf_options);
    } catch (const std::exception& e) {
        result.error = std::string("cannot create the leaf issuer: ") + e.what();
        return result;
    }
    certs::LeafCacheOptions cache_options;
    cache_options.capacity = config.leaf_cache_size;
    interception->cache_ =
        std::make_unique<certs::LeafCertCache>(interception->issuer_, cache_options);
    certs::UpstreamTlsOptions upstream;
    upstream.extra_ca_file = config.upstream_ca_file;
    auto ctx = certs::make_upstream_client_ctx(upstream);
    if (!ctx.ctx) {
        result.error = ctx.error;
        return result;
    }
    interception->upstream_ctx_ = ctx.ctx;
    result.interception = std::move(interception);
    return result;
}

TlsInterception::Splice TlsInterception::splice_decision(const config::TlsConfig& current,
                                                         std::string_view connect_host,
                                                         std::string_view sni,
                                                         std::string_view leaf_name) {
    if ((sni.empty() && current.splice_without_sni) ||
        matches_domain_list(connect_host, current.splice_domains) ||
        (!sni.empty() && matches_domain_list(sni, current.splice_domains)))
        return Splice::Configured;
    if (current.pinned_relief.enabled && pinned_relief_.should_splice(leaf_name))
        return Splice::PinnedRelief;
    return Splice::No;
}

bool upstream_verified(const config::TlsConfig& current, std::string_view host) {
    return !matches_domain_list(host, current.verify_exceptions);
}

ssl_st* TlsInterception::new_upstream_ssl(std::string_view host, bool verify,
                                          std::string& error) const {
    SSL* ssl = SSL_new(upstream_ctx_.get());
    if (!ssl) {
        error = "cannot create a TLS connection object";
        return nullptr;
    }
    error = certs::configure_upstream_ssl(ssl, host, verify);
    if (!error.empty()) {
        SSL_free(ssl);
        return nullptr;
    }
    return ssl;
}

}  // namespace minewall::proxy
