#pragma once
// `minewall ca init [--dir DIR] [--rsa] [--force]` and `minewall ca show [--dir DIR] [--pem]`.

#include <functional>
#include <iosfwd>
#include <string>

namespace CLI {
class App;
}

namespace minewall::certs {

struct CaInitOptions {
    std::string dir;
    bool rsa = false;    // RSA-3072 instead of ECDSA P-256 (for very old clients)
    bool force = false;  // replace an existing CA
};

struct CaShowOptions {
    std::string dir;
    bool pem = false;  // also print the certificate PEM (to paste into a trust store)
};

// Exit codes: 0 done, 1 failed (the reason is on `err`).
int run_ca_init(const CaInitOptions& options, std::ostream& out, std::ostream& err);
int run_ca_show(const CaShowOptions& options, std::ostream& out, std::ostream& err);

// Registers `ca init` and `ca show`. `default_ca_dir` is called when --dir is not given (after
// the configuration is known), normally returning ca_dir_in(<state dir>).
void register_ca_commands(CLI::App& root, std::function<std::string()> default_ca_dir);

}  // namespace minewall::certs
