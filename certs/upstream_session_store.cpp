#include "certs/upstream_session_store.hpp"

#include <openssl/ssl.h>

#include <memory>
#include <mutex>
#include <unordered_map>

#include "certs/openssl_handles.hpp"

namespace minewall::certs {

namespace {

using SslSessionPtr = std::unique_ptr<SSL_SESSION, OpenSslFree<SSL_SESSION_free>>;

class SessionStore {
  public:
    explicit SessionStore(std::size_t capacity) : capacity_(capacity) {}

    void put(const std::string& key, SslSessionPtr session) {
        std::lock_guard lock(mutex_);
        auto it = sessions_.find(key);
        if (it != sessions_.end()) {
            it->second = std::move(session);
            return;
        }
        // Full: drop any one entry; it only costs that origin one full handshake.
        if (sessions_.size() >= capacity_ && !sessions_.empty()) sessions_.erase(sessions_.begin());
        sessions_.emplace(key, std::move(session));
    }

    // A new reference to the session for key, or null.
    SslSessionPtr get(const std::string& key) {
        std::lock_guard lock(mutex_);
        auto it = sessions_.find(key);
        if (it == sessions_.end()) return nullptr;
        if (!SSL_SESSION_is_resumable(it->second.get())) {
            sessions_.erase(it);
            return nullptr;
        }
        SSL_SESSION_up_ref(it->second.get());
        return SslSessionPtr(it->second.get());
    }

    std::size_t size() {
        std::lock_guard lock(mutex_);
        return sessions_.size();
    }

  private:
    std::mutex mutex_;
    std::unordered_map<std::string, SslSessionPtr> sessions_;
    std::size_t capacity_;
};

void free_store(void*, void* ptr, CRYPTO_EX_DATA*, int, long, void*) {
    delete static_cast<SessionStore*>(ptr);
}

void free_key(void*, void* ptr, CRYPTO_EX_DATA*, int, long, void*) {
    delete static_cast<std::string*>(ptr);
}

int store_index() {
    static const int index = SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, free_store);
    return index;
}

int key_index() {
    static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, free_key);
    return index;
}

SessionStore* store_of(SSL_CTX* ctx) {
    return static_cast<SessionStore*>(SSL_CTX_get_ex_data(ctx, store_index()));
}

// OpenSSL's new-session callback. The session handed over stays the connection's own, and
// freeing a connection that was not shut down cleanly marks its session not resumable (most
// origin connections just close): a copy is stored instead.
int on_new_session(SSL* ssl, SSL_SESSION* session) {
    auto* store = store_of(SSL_get_SSL_CTX(ssl));
    auto* key = static_cast<std::string*>(SSL_get_ex_data(ssl, key_index()));
    if (!store || !key || !SSL_SESSION_is_resumable(session)) return 0;
    if (SslSessionPtr copy{SSL_SESSION_dup(session)}) store->put(*key, std::move(copy));
    return 0;  // OpenSSL keeps its reference
}

}  // namespace

std::string attach_upstream_session_store(SSL_CTX* ctx, std::size_t capacity) {
    if (store_index() < 0 || key_index() < 0) return "cannot register TLS session storage";
    auto* store = new SessionStore(capacity);
    if (SSL_CTX_set_ex_data(ctx, store_index(), store) != 1) {
        delete store;
        return "cannot attach the TLS session store";
    }
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
    SSL_CTX_sess_set_new_cb(ctx, on_new_session);
    return {};
}

void configure_upstream_session(SSL* ssl, std::string key) {
    auto* store = store_of(SSL_get_SSL_CTX(ssl));
    if (!store) return;
    auto* owned = new std::string(std::move(key));
    if (SSL_set_ex_data(ssl, key_index(), owned) != 1) {
        delete owned;
        return;
    }
    if (auto session = store->get(*owned))
        SSL_set_session(ssl, session.get());  // takes its own reference
}

std::size_t stored_upstream_sessions(SSL_CTX* ctx) {
    auto* store = store_of(ctx);
    return store ? store->size() : 0;
}

}  // namespace minewall::certs
