#include "certs/openssl_handles.hpp"

#include <openssl/err.h>

namespace minewall::certs {

std::string drain_openssl_errors() {
    std::string out;
    while (unsigned long code = ERR_get_error()) {
        char buf[256];
        ERR_error_string_n(code, buf, sizeof buf);
        if (!out.empty()) out += "; ";
        out += buf;
    }
    return out;
}

}  // namespace minewall::certs
