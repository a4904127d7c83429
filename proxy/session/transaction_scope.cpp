#include "proxy/session/transaction_scope.hpp"

#include <spdlog/spdlog.h>

#include "proxy/ops/proxy_state.hpp"

namespace minewall::proxy {

TransactionScope::TransactionScope(ClientConnection& client, ProxyState& state)
    : state_(state), started_(std::chrono::steady_clock::now()) {
    record_.record_id = state.next_record_id();
    record_.instance_id = state.instance_id();
    record_.start_time = weblog::WebRecord::Clock::now();
    record_.client_ip = client.peer_ip;
    record_.client_port = client.peer_port;
    if (!client.client_ip.empty() && client.client_ip != client.peer_ip)
        record_.client_forwarded_ip = client.client_ip;
    record_.login = client.login;
    record_.department = client.department;
    record_.device_owner = client.device_owner;
    record_.device_hostname = client.device_hostname;
    record_.location = client.location;
    if (client.stream && client.stream->is_tls()) record_tls_session(client, record_);
}

void record_tls_session(const ClientConnection& client, weblog::WebRecord& record) {
    record.ssl_decrypted = true;
    record.sni = client.tls_sni;
    record.client_tls_version = client.client_tls_version;
    record.server_tls_version = client.server_tls_version;
    record.alpn = client.alpn;
}

TransactionScope::~TransactionScope() {
    record_.client_transaction_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                        std::chrono::steady_clock::now() - started_)
                                        .count();
    try {
        state_.sink().record(std::move(record_));
    } catch (const std::exception& e) {
        // A sink failure must never take the session down with it.
        spdlog::error("transaction record {} was not written: {}", record_.record_id, e.what());
    }
}

std::string TransactionScope::transaction_id() const {
    return record_.instance_id + "-" + std::to_string(record_.record_id);
}

}  // namespace minewall::proxy
