#include "tests/unit/certs/client_hello_samples.hpp"

#include <stdexcept>

#include "certs/openssl_handles.hpp"

namespace minewall::test {
namespace {

void put16(Bytes& out, std::size_t v) {
    out.push_back(static_cast<std::uint8_t>(v >> 8));
    out.push_back(static_cast<std::uint8_t>(v));
}

void put24(Bytes& out, std::size_t v) {
    out.push_back(static_cast<std::uint8_t>(v >> 16));
    put16(out, v & 0xffff);
}

void append(Bytes& out, const Bytes& more) {
    out.insert(out.end(), more.begin(), more.end());
}

}  // namespace

Bytes openssl_client_hello(const OpenSslHelloSpec& spec) {
    certs::SslCtxPtr ctx(SSL_CTX_new(TLS_client_method()));
    if (spec.tls12_only) SSL_CTX_set_max_proto_version(ctx.get(), TLS1_2_VERSION);
    certs::SslPtr ssl(SSL_new(ctx.get()));
    if (spec.sni) SSL_set_tlsext_host_name(ssl.get(), spec.sni->c_str());
    if (!spec.alpn.empty()) {
        Bytes wire;
        for (const auto& p : spec.alpn) {
            wire.push_back(static_cast<std::uint8_t>(p.size()));
            wire.insert(wire.end(), p.begin(), p.end());
        }
        SSL_set_alpn_protos(ssl.get(), wire.data(), static_cast<unsigned>(wire.size()));
    }
    if (spec.resume) SSL_set_session(ssl.get(), spec.resume);
    BIO* in = BIO_new(BIO_s_mem());
    BIO* out = BIO_new(BIO_s_mem());
    SSL_set_bio(ssl.get(), in, out);
    SSL_set_connect_state(ssl.get());
    SSL_do_handshake(ssl.get());  // WANT_READ after writing the hello
    Bytes hello(static_cast<std::size_t>(BIO_ctrl_pending(out)));
    if (hello.empty() || BIO_read(out, hello.data(), static_cast<int>(hello.size())) <= 0) {
        throw std::runtime_error("OpenSSL client wrote no ClientHello");
    }
    return hello;
}

Bytes refragment(const Bytes& hello, std::size_t fragment) {
    const std::size_t length = (std::size_t{hello.at(3)} << 8) | hello.at(4);
    Bytes handshake(hello.begin() + 5, hello.begin() + 5 + static_cast<long>(length));
    return wrap_in_records(handshake, fragment);
}

Bytes wrap_in_records(const Bytes& handshake, std::size_t fragment) {
    Bytes out;
    for (std::size_t pos = 0; pos < handshake.size(); pos += fragment) {
        const std::size_t n = std::min(fragment, handshake.size() - pos);
        out.insert(out.end(), {0x16, 0x03, 0x01});
        put16(out, n);
        out.insert(out.end(), handshake.begin() + static_cast<long>(pos),
                   handshake.begin() + static_cast<long>(pos + n));
    }
    return out;
}

Bytes CraftedHello::handshake() const {
    Bytes body;
    put16(body, legacy_version);
    for (int i = 0; i < 32; ++i)
        body.push_back(static_cast<std::uint8_t>(i * 7));  // random
    body.push_back(32);  // session id, as TLS 1.3 middlebox compatibility mode sends
    for (int i = 0; i < 32; ++i)
        body.push_back(static_cast<std::uint8_t>(0xa0 + i));
    put16(body, ciphers.size() * 2);
    for (auto c : ciphers)
        put16(body, c);
    body.insert(body.end(), {1, 0});  // compression: null
    Bytes ext;
    for (const auto& [type, data] : extensions) {
        put16(ext, type);
        put16(ext, data.size());
        append(ext, data);
    }
    put16(body, ext.size());
    append(body, ext);

    Bytes out{0x01};
    put24(out, body.size());
    append(out, body);
    return out;
}

Bytes server_name_extension(const std::string& host) {
    Bytes entry{0x00};
    put16(entry, host.size());
    entry.insert(entry.end(), host.begin(), host.end());
    Bytes out;
    put16(out, entry.size());
    append(out, entry);
    return out;
}

Bytes alpn_extension(const std::vector<std::string>& protocols) {
    Bytes list;
    for (const auto& p : protocols) {
        list.push_back(static_cast<std::uint8_t>(p.size()));
        list.insert(list.end(), p.begin(), p.end());
    }
    Bytes out;
    put16(out, list.size());
    append(out, list);
    return out;
}

Bytes supported_versions_extension(const std::vector<std::uint16_t>& versions) {
    Bytes out{static_cast<std::uint8_t>(versions.size() * 2)};
    for (auto v : versions)
        put16(out, v);
    return out;
}

Bytes key_share_extension(const std::vector<std::uint16_t>& groups) {
    Bytes list;
    for (auto g : groups) {
        put16(list, g);
        put16(list, 32);
        for (int i = 0; i < 32; ++i)
            list.push_back(static_cast<std::uint8_t>(g + i));
    }
    Bytes out;
    put16(out, list.size());
    append(out, list);
    return out;
}

Bytes grease_hello(const std::string& sni) {
    CraftedHello hello;
    hello.ciphers = {0x3a3a, 0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f};
    Bytes groups;
    put16(groups, 6);
    for (std::uint16_t g : {0x8a8a, 0x001d, 0x0017})
        put16(groups, g);
    hello.extensions = {
        {0x2a2a, {}},
        {0x0000, server_name_extension(sni)},
        {0x000a, groups},
        {0x0010, alpn_extension({"h2", "http/1.1"})},
        {0x002b, supported_versions_extension({0x6a6a, 0x0304, 0x0303})},
        {0x0033, key_share_extension({0x8a8a, 0x001d})},
        {0xfafa, {0x00}},
    };
    return wrap_in_records(hello.handshake());
}

}  // namespace minewall::test
