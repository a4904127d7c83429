#pragma once
// Runs a TLS handshake between a client SSL and a server SSL over an in-memory BIO pair, so the
// bump and upstream-verification tests exercise real OpenSSL handshakes without sockets.

#include <string>

struct ssl_st;

namespace minewall::test {

struct HandshakeOutcome {
    bool ok = false;           // both sides finished
    std::string client_error;  // OpenSSL reason on the client side, if it failed
    std::string server_error;
};

// Takes over the BIOs of both SSLs. Also lets the client read the server's session tickets.
HandshakeOutcome run_memory_handshake(ssl_st* client, ssl_st* server);

}  // namespace minewall::test
