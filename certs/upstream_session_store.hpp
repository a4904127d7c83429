#pragma once
// TLS sessions of origin connections, kept per origin name so the next connection to the same
// origin resumes instead of repeating the full handshake: no certificate chain to decode and
// verify again (about a fifth of a new bumped connection's CPU). Attached to the upstream
// SSL_CTX; OpenSSL's own client cache stores sessions it never offers, so it is not used.
#include <cstddef>
#include <string>

struct ssl_ctx_st;
struct ssl_st;

namespace minewall::certs {

// Installs a store on ctx (freed with it): new sessions (TLS 1.3 tickets arrive after the
// handshake) are kept under the key configure_upstream_session gave the connection.
// Returns an error, empty on success.
std::string attach_upstream_session_store(ssl_ctx_st* ctx, std::size_t capacity = 10'000);

// Names the connection's session key (the origin name and whether it is verified: a session
// made without verification must never stand in for a verified one) and offers the stored
// session for it, if any. No-op when ctx has no store.
void configure_upstream_session(ssl_st* ssl, std::string key);

// Sessions currently stored (for tests).
std::size_t stored_upstream_sessions(ssl_ctx_st* ctx);

}  // namespace minewall::certs
