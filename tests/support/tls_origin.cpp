#include "tests/support/tls_origin.hpp"

#include <stdexcept>

namespace minewall::testing {

namespace {

void openssl(const std::vector<std::string>& args) {
    std::vector<std::string> argv{"openssl"};
    argv.insert(argv.end(), args.begin(), args.end());
    auto r = run_command(argv, std::chrono::seconds(30));
    if (r.exit_code != 0) throw std::runtime_error("openssl " + args[0] + " failed: " + r.err);
}

}  // namespace

TlsOrigin::TlsOrigin(Certificate kind) {
    auto f = [&](const std::string& name) { return dir_.file(name); };
    ca_file_ = f("ca.pem");
    openssl({"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
             "-keyout", f("ca.key"), "-out", ca_file_, "-days", "2", "-subj",
             "/CN=minewall test origin CA"});
    openssl({"req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
             f("server.key"), "-out", f("server.csr"), "-subj", "/CN=origin"});
    dir_.write("ext", kind == Certificate::WrongHost
                          ? "subjectAltName=DNS:other.example\n"
                          : "subjectAltName=DNS:localhost,IP:127.0.0.1\n");
    if (kind == Certificate::Expired) {
        // `openssl ca` can date a certificate in the past: expired from the start, no waiting.
        dir_.write("index.txt", "");
        dir_.write("serial", "01\n");
        dir_.write("ca.cnf",
                   "[ca]\ndefault_ca = test_ca\n[test_ca]\ndatabase = " + f("index.txt") +
                       "\nnew_certs_dir = " + dir_.path() + "\nserial = " + f("serial") +
                       "\ndefault_md = sha256\npolicy = any\n[any]\ncommonName = supplied\n");
        openssl({"ca", "-batch", "-notext", "-config", f("ca.cnf"), "-cert", ca_file_, "-keyfile",
                 f("ca.key"), "-in", f("server.csr"), "-out", f("server.pem"), "-startdate",
                 "20200101000000Z", "-enddate", "20200102000000Z", "-extfile", f("ext")});
    } else {
        openssl({"x509", "-req", "-in", f("server.csr"), "-CA", ca_file_, "-CAkey", f("ca.key"),
                 "-CAcreateserial", "-out", f("server.pem"), "-days", "2", "-extfile", f("ext")});
    }

    // Port 0: s_server binds a free port itself and says which ("ACCEPT 127.0.0.1:PORT").
    server_ = std::make_unique<ChildProcess>(std::vector<std::string>{
        "openssl", "s_server", "-accept", "127.0.0.1:0", "-cert", f("server.pem"), "-key",
        f("server.key"), "-www", "-naccept", "1000"});
    auto text = server_->wait_for_output("ACCEPT 127.0.0.1:", std::chrono::seconds(10));
    if (!text)
        throw std::runtime_error("openssl s_server did not start: " + server_->stderr_text());
    auto at = text->find("ACCEPT 127.0.0.1:") + std::string("ACCEPT 127.0.0.1:").size();
    port_ = static_cast<std::uint16_t>(std::stoi(text->substr(at)));
}

}  // namespace minewall::testing
