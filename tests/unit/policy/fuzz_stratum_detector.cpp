// libFuzzer target: the pool-protocol detectors over arbitrary first bytes of a connection.
// Checks that they never crash, that a Match always names its threat, and that unmasking never
// produces more bytes than it was given.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "policy/stratum_detector.hpp"
#include "policy/websocket_frame.hpp"
#include "policy/websocket_pool_detector.hpp"

using namespace minewall::policy;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view bytes(reinterpret_cast<const char*>(data), size);
    auto whole = detect_mining_protocol(bytes);
    if (whole.status == ScanStatus::Match && whole.threat_name.empty()) std::abort();
    detect_mining_json_body(bytes);
    detect_websocket_pool(bytes);
    detect_websocket_pool_message(bytes);
    auto messages = read_websocket_messages(bytes);
    std::size_t total = messages.partial.size();
    for (const auto& m : messages.complete)
        total += m.size();
    if (total > size) std::abort();  // unmasking never invents bytes
    return 0;
}
