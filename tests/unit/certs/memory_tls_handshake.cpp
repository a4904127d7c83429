#include "tests/unit/certs/memory_tls_handshake.hpp"

#include "certs/openssl_handles.hpp"

namespace minewall::test {
namespace {

// One step of one side: true when finished, false when it must wait; `error` set on failure.
bool step(SSL* ssl, std::string& error) {
    const int r = SSL_do_handshake(ssl);
    if (r == 1) return true;
    const int e = SSL_get_error(ssl, r);
    if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) {
        error = certs::drain_openssl_errors();
        if (error.empty()) error = "handshake failed (SSL error " + std::to_string(e) + ")";
    }
    return false;
}

}  // namespace

HandshakeOutcome run_memory_handshake(SSL* client, SSL* server) {
    BIO* client_bio = nullptr;
    BIO* server_bio = nullptr;
    BIO_new_bio_pair(&client_bio, 0, &server_bio, 0);
    SSL_set_bio(client, client_bio, client_bio);
    SSL_set_bio(server, server_bio, server_bio);
    SSL_set_connect_state(client);
    SSL_set_accept_state(server);

    HandshakeOutcome out;
    bool client_done = false;
    bool server_done = false;
    for (int round = 0; round < 50 && !(client_done && server_done); ++round) {
        if (!client_done) client_done = step(client, out.client_error);
        if (!server_done) server_done = step(server, out.server_error);
        if (!out.client_error.empty() || !out.server_error.empty()) {
            // Let the other side read the alert, so both errors are known.
            if (!client_done && out.client_error.empty()) step(client, out.client_error);
            if (!server_done && out.server_error.empty()) step(server, out.server_error);
            return out;
        }
    }
    out.ok = client_done && server_done;
    if (out.ok) {
        // TLS 1.3 tickets arrive after the handshake; a read with no data processes them.
        char byte;
        SSL_read(client, &byte, 1);
        certs::drain_openssl_errors();
    }
    return out;
}

}  // namespace minewall::test
