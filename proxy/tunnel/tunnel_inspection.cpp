#include "proxy/tunnel/tunnel_inspection.hpp"

#include <cstring>

#include "policy/snapshot.hpp"
#include "proxy/net/stream_deadline.hpp"
#include "proxy/sniff/client_hello.hpp"
#include "proxy/sniff/protocol_sniffer.hpp"

namespace minewall::proxy {

// Reads the client's first bytes into client.buffer (they are relayed later, untouched) and
// asks the policy about them: the SNI of a TLS ClientHello, or the bytes of anything else
// (stratum and other mining protocols).
awaitable<TunnelInspection> inspect_tunnel_start(ClientConnection& client,
                                                 const policy::Snapshot& policy,
                                                 policy::RequestFacts facts, TunnelStart start,
                                                 std::chrono::milliseconds wait) {
    TunnelInspection inspection;
    const bool expect_tls = start == TunnelStart::tls_or_other;
    // Line-based protocols (stratum) may arrive in pieces: read on until a newline.
    const bool line_based = start != TunnelStart::websocket_frames;
    auto deadline = std::chrono::steady_clock::now() + wait;
    for (;;) {
        auto data = client.buffer.data();
        std::span<const std::uint8_t> bytes(static_cast<const std::uint8_t*>(data.data()),
                                            data.size());
        bool want_more = bytes.empty();
        if (!bytes.empty()) {
            auto kind = sniff::sniff_first_bytes(bytes);
            if (expect_tls && kind == sniff::FirstBytesKind::tls) {
                inspection.protocol = "SSL";
                auto hello = sniff::parse_client_hello(bytes);
                if (hello.status == sniff::ClientHelloStatus::complete) {
                    inspection.sni = hello.info.sni;
                    inspection.client_hello = true;
                    facts.stage = policy::Stage::ClientHello;
                    facts.sni = hello.info.sni;
                    inspection.verdict = policy.decide(facts);
                    co_return inspection;
                }
                want_more = hello.status == sniff::ClientHelloStatus::need_more;
            } else if (start == TunnelStart::decrypted && kind == sniff::FirstBytesKind::http) {
                inspection.http = true;  // the HTTP pipeline inspects it request by request
                co_return inspection;
            } else if (start != TunnelStart::websocket_frames &&
                       kind == sniff::FirstBytesKind::need_more) {
                want_more = true;
            } else {
                facts.stage = policy::Stage::Tunnel;
                facts.leading_bytes =
                    std::string_view(static_cast<const char*>(data.data()), data.size());
                inspection.verdict = policy.decide(facts);
                if (line_based && !inspection.verdict->blocks() && bytes.size() < 512 &&
                    std::memchr(data.data(), '\n', data.size()) == nullptr) {
                    want_more = true;
                } else {
                    co_return inspection;
                }
            }
        }
        if (!want_more || client.buffer.size() >= first_bytes_limit) co_return inspection;
        auto left = deadline - std::chrono::steady_clock::now();
        if (left <= std::chrono::milliseconds(0)) co_return inspection;
        StreamDeadline wait(client.stream->transport(), left);
        auto buffers = client.buffer.prepare(first_bytes_limit - client.buffer.size());
        auto [ec, n] = co_await client.stream->async_read_some(buffers, use_tuple);
        client.buffer.commit(n);
        if (ec) co_return inspection;  // gone, or silent until the deadline cancelled the read
    }
}

}  // namespace minewall::proxy
