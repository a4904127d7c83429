#include "tests/support/tls_origin.hpp"

#include <boost/asio.hpp>
#include <stdexcept>
#include <thread>

namespace minewall::testing {

namespace {

void openssl(const std::vector<std::string>& args) {
    std::vector<std::string> argv{"openssl"};
    argv.insert(argv.end(), args.begin(), args.end());
    auto r = run_command(argv, std::chrono::seconds(30));
    if (r.exit_code != 0) throw std::runtime_error("openssl " + args[0] + " failed: " + r.err);
}

std::uint16_t free_port() {
    boost::asio::io_context ctx;
    boost::asio::ip::tcp::acceptor a(ctx, {boost::asio::ip::make_address("127.0.0.1"), 0});
    return a.local_endpoint().port();
}

bool accepts(std::uint16_t port) {
    boost::asio::io_context ctx;
    boost::asio::ip::tcp::socket s(ctx);
    boost::system::error_code ec;
    s.connect({boost::asio::ip::make_address("127.0.0.1"), port}, ec);
    return !ec;
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
    // -days 0: valid for no time at all, so expired a second later.
    openssl({"x509", "-req", "-in", f("server.csr"), "-CA", ca_file_, "-CAkey", f("ca.key"),
             "-CAcreateserial", "-out", f("server.pem"), "-days",
             kind == Certificate::Expired ? "0" : "2", "-extfile", f("ext")});
    if (kind == Certificate::Expired) std::this_thread::sleep_for(std::chrono::milliseconds(1100));

    port_ = free_port();
    server_ = std::make_unique<ChildProcess>(std::vector<std::string>{
        "openssl", "s_server", "-accept", "127.0.0.1:" + std::to_string(port_), "-cert",
        f("server.pem"), "-key", f("server.key"), "-www", "-quiet", "-naccept", "1000"});
    for (int i = 0; i < 500 && !accepts(port_); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    if (!accepts(port_)) throw std::runtime_error("openssl s_server did not start");
}

}  // namespace minewall::testing
