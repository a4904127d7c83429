#pragma once
// `minewall logs summarize [--format PRESET] [--since T] [--threat GLOB] [--json|--csv]
//  [--top N] [--follow] [FILE...|-]`: blocked activity in NSS web logs grouped the way the
// SOC search groups it (count, first/last time BY action deviceowner user urlcategory url
// src dest), with the top threats, users and destination hosts.
#include <atomic>
#include <chrono>
#include <iosfwd>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace minewall::weblog {

struct SummarizeOptions {
    std::vector<std::string> files;  // empty or "-" = standard input
    std::string format;              // preset name; empty = detect per line
    std::string since;               // "24h", "7d", "2023-10-16", ...
    std::string threat;              // glob on threatname, case-insensitive ("*miner*")
    bool json = false;
    bool csv = false;
    std::size_t top = 10;
    bool follow = false;  // keep reading one FILE as it grows (rotation-aware)
    std::chrono::milliseconds poll_interval{1000};
    const std::atomic<bool>* stop = nullptr;  // ends --follow (tests, signal handlers)
};

// Returns the exit code: 0 done, 1 no input could be read, 2 bad options.
int run_logs_summarize(const SummarizeOptions& options, std::istream& stdin_stream,
                       std::ostream& out, std::ostream& err);

void register_logs_commands(CLI::App& root);

}  // namespace minewall::weblog
