#pragma once
// A real HTTP/1.1 origin on 127.0.0.1 for integration tests (Beast, one thread per
// connection). Routes:
//   /hello                 "hello from origin\n"
//   /headers               the request head as received, as text
//   /upload  (POST)        "bytes=N fnv=HEX" of the request body (answers Expect: 100-continue)
//   /chunked?n=K           K chunks "chunk i\n", chunked encoding
//   /close-delimited       body ended by closing the connection (no length)
//   /broken-chunk          a chunked response cut off after its first chunk's size line
//   /big?bytes=N           N bytes of a fixed pattern, with Content-Length
//   /trickle?bytes=N&pause_ms=P   /big's body in 64 KiB pieces, P ms apart
//   /slow?ms=N             waits N ms before answering
//   /held                  text/event-stream, chunked: "data: first" at once, "data: second"
//                          and the end only after release_held() (or 30 s)
//   /status/NNN            an empty response with that status
//   /ws                    a WebSocket echo
// Every connection is closed when its client closes or the origin is done with it.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace minewall::testing {

class OriginServer {
  public:
    OriginServer();
    ~OriginServer();
    OriginServer(const OriginServer&) = delete;
    OriginServer& operator=(const OriginServer&) = delete;

    std::uint16_t port() const;
    std::string url(const std::string& path) const;  // http://127.0.0.1:PORT/path

    // Serves body with content_type at exactly `path` (checked before the built-in routes).
    void add_route(const std::string& path, const std::string& content_type, std::string body);

    // Messages the /ws echo endpoint (a WebSocket) received.
    std::vector<std::string> websocket_messages() const;

    // Lets every /held response (now and later) finish.
    void release_held();

    std::uint64_t connections_accepted() const;
    std::uint64_t requests_served() const;

    // Closes a kept-alive connection on which no request arrived within `idle` (0: never).
    void close_idle_after(std::chrono::milliseconds idle);
    // Reads the second and later requests on a connection and closes it without answering:
    // the origin's idle close crossing a request that a proxy sent on a pooled connection.
    void drop_requests_on_reused_connections(bool drop);
    std::uint64_t idle_connections_closed() const;
    // Waits until every accepted connection has ended (what it received is then final).
    bool wait_all_closed(std::chrono::milliseconds timeout) const;
    std::uint64_t requests_dropped() const;

    // The byte pattern /big serves, for comparisons.
    static std::string big_body(std::size_t bytes);
    // FNV-1a 64 of data, as /upload reports it.
    static std::uint64_t fnv1a(const std::string& data);

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace minewall::testing
