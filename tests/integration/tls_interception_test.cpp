#include <doctest/doctest.h>

#include <chrono>
#include <csignal>
#include <fstream>
#include <sstream>
#include <thread>

#include "tests/support/eventually.hpp"
#include "tests/support/minewall_process.hpp"
#include "tests/support/nss_log.hpp"
#include "tests/support/tls_http_origin.hpp"
#include "tests/support/tls_origin.hpp"

using namespace minewall::testing;

namespace {

std::string config_for(const TlsOrigin& origin, const TempDir& logs,
                       const std::string& extra = "") {
    return "connect_ports: [" + std::to_string(origin.port()) + "]\n" +
           "weblog:\n  feeds:\n    - preset: splunk\n      destination: " + logs.file("web.log") +
           "\n" + extra;
}

// Every NSS field, one JSON object per line, keys = token names.
std::string json_log_config(const TlsOrigin& origin, const TempDir& logs) {
    return "connect_ports: [" + std::to_string(origin.port()) + "]\n" +
           "weblog:\n  feeds:\n    - preset: json\n      destination: " + logs.file("web.json") +
           "\n";
}

bool has_json_pair(const std::string& line, const std::string& key, const std::string& value) {
    return line.find("\"" + key + "\":\"" + value + "\"") != std::string::npos;
}

// A keep-alive HTTPS origin (certificate from a test CA) behind one minewall worker that
// trusts that CA and allows CONNECT to the origin's port; the web log goes to logs/web.log.
struct BumpedKeepAliveOrigin {
    TlsOrigin pki;
    TlsHttpOrigin origin{pki.cert_file(), pki.key_file()};
    TempDir logs;
    MinewallProcess proxy;

    explicit BumpedKeepAliveOrigin(const std::string& extra_config = "")
        : proxy("connect_ports: [" + std::to_string(origin.port()) + "]\n" + extra_config +
                    splunk_log_config(logs.file("web.log")),
                {"--upstream-ca", pki.ca_file(), "--workers", "1"}) {}

    std::string url() const { return "https://localhost:" + std::to_string(origin.port()) + "/"; }

    // openssl s_client through the proxy to the origin, sending `servername` as SNI and
    // verifying against ca_file; extra flags at the end.
    std::vector<std::string> s_client(const std::string& servername, const std::string& ca_file,
                                      std::vector<std::string> extra) const {
        std::vector<std::string> argv{"openssl",     "s_client",
                                      "-proxy",      "127.0.0.1:" + std::to_string(proxy.port()),
                                      "-connect",    "localhost:" + std::to_string(origin.port()),
                                      "-servername", servername,
                                      "-CAfile",     ca_file};
        argv.insert(argv.end(), extra.begin(), extra.end());
        return argv;
    }
};

}  // namespace

TEST_CASE("bumps HTTPS: the client sees a leaf from minewall's CA and every request is logged") {
    TlsOrigin origin;
    TempDir logs;
    MinewallProcess proxy(config_for(origin, logs), {"--upstream-ca", origin.ca_file()});
    // Two requests: keep-alive inside the bumped connection reuses one TLS session.
    auto r = curl({"-v", "--cacert", proxy.ca_file(), "-x", proxy.proxy_url(), "-o", "/dev/null",
                   "-o", "/dev/null", "-w", "%{http_code} %{num_connects}\n",
                   origin.url("localhost", "/first"), origin.url("localhost", "/second")});
    CHECK(r.exit_code == 0);
    CHECK(r.out == "200 1\n200 0\n");
    CHECK(r.err.find("issuer: CN=minewall CA") != std::string::npos);
    CHECK(r.err.find("subjectAltName: host \"localhost\" matched cert's \"localhost\"") !=
          std::string::npos);
    REQUIRE(proxy.stop() == 0);
    auto lines = nss_log_lines(logs.file("web.log"));
    REQUIRE(lines.size() == 3);  // two HTTPS requests, then the CONNECT that carried them
    CHECK(lines[0].find("\tprotocol=HTTPS\t") != std::string::npos);
    CHECK(lines[0].find("\turl=localhost:" + std::to_string(origin.port()) + "/first\t") !=
          std::string::npos);
    CHECK(lines[2].find("\trequestmethod=CONNECT\t") != std::string::npos);
}

TEST_CASE("SIGUSR2 and shutdown log the counters: requests, leaf cache, web log") {
    TlsOrigin origin;
    TempDir logs;
    MinewallProcess proxy(config_for(origin, logs), {"--upstream-ca", origin.ca_file()});
    // Two bumped connections to one host: the first mints its leaf, the second finds it cached.
    for (const char* path : {"/first", "/second"}) {
        auto r = curl({"--cacert", proxy.ca_file(), "-x", proxy.proxy_url(), "-o", "/dev/null",
                       "-w", "%{http_code}", origin.url("localhost", path)});
        CHECK(r.out == "200");
    }
    // A CONNECT's record is written when its tunnel ends, just after curl has gone.
    REQUIRE(eventually([&] { return nss_log_lines(logs.file("web.log")).size() == 4; }));
    proxy.process().signal(SIGUSR2);
    auto log = proxy.process().wait_for_output("statistics (SIGUSR2)", std::chrono::seconds(10));
    REQUIRE(log);
    CHECK(statistic(*log, "connect_requests") == 2);
    CHECK(statistic(*log, "http_requests") == 2);
    CHECK(statistic(*log, "leaf_cache_misses") == 1);
    CHECK(statistic(*log, "leaf_cache_hits") == 1);
    CHECK(statistic(*log, "leaf_mints") == 1);
    CHECK(statistic(*log, "pinned_rejections") == 0);
    CHECK(statistic(*log, "weblog_emitted") == 4);  // two requests, two CONNECTs
    REQUIRE(proxy.stop() == 0);
    auto final_log = proxy.process().stderr_text() + proxy.process().stdout_text();
    CHECK(final_log.find("statistics (at shutdown): ") != std::string::npos);
    CHECK(statistic(final_log, "weblog_written") == 4);
}

TEST_CASE("a CONNECT to an IP address gets a leaf with an IP SAN") {
    TlsOrigin origin;
    TempDir logs;
    MinewallProcess proxy(config_for(origin, logs), {"--upstream-ca", origin.ca_file()});
    auto r = curl({"-v", "--cacert", proxy.ca_file(), "-x", proxy.proxy_url(), "-o", "/dev/null",
                   "-w", "%{http_code}", origin.url("127.0.0.1")});
    CHECK(r.out == "200");
    CHECK(r.err.find("matched cert's IP address") != std::string::npos);
}

TEST_CASE("openssl s_client through the proxy verifies minewall's leaf") {
    TlsOrigin origin;
    TempDir logs;
    MinewallProcess proxy(config_for(origin, logs), {"--upstream-ca", origin.ca_file()});
    auto r =
        run_command({"openssl", "s_client", "-proxy", "127.0.0.1:" + std::to_string(proxy.port()),
                     "-connect", "localhost:" + std::to_string(origin.port()), "-servername",
                     "localhost", "-CAfile", proxy.ca_file(), "-verify_return_error", "-brief"},
                    std::chrono::seconds(20), logs.write("empty", ""));
    CHECK(r.exit_code == 0);
    CHECK((r.err + r.out).find("Verification: OK") != std::string::npos);
}

TEST_CASE("a spliced domain keeps the origin's own certificate") {
    TlsOrigin origin;
    TempDir logs;
    MinewallProcess proxy(config_for(origin, logs, "tls:\n  splice_domains: [localhost]\n"),
                          {"--upstream-ca", origin.ca_file()});
    auto r = curl({"-v", "--cacert", origin.ca_file(), "-x", proxy.proxy_url(), "-o", "/dev/null",
                   "-w", "%{http_code}", origin.url("localhost")});
    CHECK(r.out == "200");
    CHECK(r.err.find("issuer: CN=minewall test origin CA") != std::string::npos);
    REQUIRE(proxy.stop() == 0);
    auto lines = nss_log_lines(logs.file("web.log"));
    REQUIRE(lines.size() == 1);
    CHECK(lines[0].find("\tprotocol=SSL\t") != std::string::npos);
}

TEST_CASE("an origin with an expired certificate gets a 502 inside TLS naming the reason") {
    TlsOrigin origin(TlsOrigin::Certificate::Expired);
    TempDir logs;
    MinewallProcess proxy(config_for(origin, logs), {"--upstream-ca", origin.ca_file()});
    auto r = curl({"--cacert", proxy.ca_file(), "-x", proxy.proxy_url(), "-w", "\n%{http_code}",
                   origin.url("localhost")});
    CHECK(r.exit_code == 0);
    CHECK(r.out.find("502 Bad Gateway") == 0);
    CHECK(r.out.find("expired") != std::string::npos);
    CHECK(r.out.substr(r.out.size() - 3) == "502");
}

TEST_CASE("a reload applies new splice domains and verify exceptions to the next tunnels") {
    TlsOrigin origin(TlsOrigin::Certificate::Expired);
    TempDir logs;
    MinewallProcess proxy(config_for(origin, logs), {"--upstream-ca", origin.ca_file()});
    auto fetch = [&](const std::string& ca_file, bool insecure = false) {
        std::vector<std::string> args{"-v",
                                      "--cacert",
                                      ca_file,
                                      "-x",
                                      proxy.proxy_url(),
                                      "-w",
                                      "\n%{http_code}",
                                      origin.url("localhost")};
        if (insecure) args.insert(args.begin(), "-k");
        return curl(args);
    };
    auto reload = [&](const std::string& tls_section) {
        std::ofstream(proxy.config_path()) << config_for(origin, logs, tls_section);
        // Measured before the signal: a fast reload can log before the next line runs.
        auto before = proxy.log().size();
        proxy.process().signal(SIGHUP);
        if (!eventually([&] {
                return proxy.log().find("configuration reloaded", before) != std::string::npos;
            }))
            FAIL("no reload in the log: " << proxy.log());
    };
    // Bumped, and the expired origin certificate is refused.
    auto r = fetch(proxy.ca_file());
    CHECK(r.out.find("502 Bad Gateway") == 0);

    // An exception for the origin: bumped, the certificate is no longer checked.
    reload("tls:\n  verify_exceptions: [localhost]\n");
    r = fetch(proxy.ca_file());
    CHECK(r.out.substr(r.out.size() - 3) == "200");
    CHECK(r.err.find("issuer: CN=minewall CA") != std::string::npos);

    // The exception removed again: refused again (s_server closes after each answer; the
    // pooled case is the next test).
    reload("");
    r = fetch(proxy.ca_file());
    CHECK(r.out.find("502 Bad Gateway") == 0);

    // Spliced: the client sees the origin's own (expired) certificate, accepted here with -k.
    reload("tls:\n  splice_domains: [localhost]\n");
    r = fetch(origin.ca_file(), true);
    CHECK(r.out.substr(r.out.size() - 3) == "200");
    CHECK(r.err.find("issuer: CN=minewall test origin CA") != std::string::npos);
    CHECK(r.err.find("issuer: CN=minewall CA") == std::string::npos);
}

TEST_CASE("an idle unverified origin connection is not reused once its verify exception is gone") {
    TlsOrigin pki(TlsOrigin::Certificate::Expired);
    TlsHttpOrigin origin(pki.cert_file(), pki.key_file());  // keeps connections alive
    TempDir logs;
    auto config = [&](const std::string& tls_section) {
        return "connect_ports: [" + std::to_string(origin.port()) + "]\n" + tls_section +
               splunk_log_config(logs.file("web.log"));
    };
    MinewallProcess proxy(config("tls:\n  verify_exceptions: [localhost]\n"),
                          {"--upstream-ca", pki.ca_file(), "--workers", "1"});
    const auto url = "https://localhost:" + std::to_string(origin.port()) + "/";
    auto fetch = [&] {
        return curl(
            {"--cacert", proxy.ca_file(), "-x", proxy.proxy_url(), "-w", "\n%{http_code}", url});
    };
    // Two client connections ride one unverified origin connection: it is pooled.
    CHECK(fetch().out == "hello over tls\n\n200");
    CHECK(fetch().out == "hello over tls\n\n200");
    REQUIRE(origin.tls_handshakes() == 1);

    std::ofstream(proxy.config_path()) << config("");
    auto before = proxy.log().size();
    proxy.process().signal(SIGHUP);
    REQUIRE(eventually(
        [&] { return proxy.log().find("configuration reloaded", before) != std::string::npos; }));
    // The idle connection was never verified: the next tunnel must verify, and refuse.
    auto r = fetch();
    CHECK(r.out.find("502 Bad Gateway") == 0);
    CHECK(r.out.find("expired") != std::string::npos);
}

TEST_CASE("an origin whose certificate names another host gets a 502 inside TLS") {
    TlsOrigin origin(TlsOrigin::Certificate::WrongHost);
    TempDir logs;
    MinewallProcess proxy(config_for(origin, logs), {"--upstream-ca", origin.ca_file()});
    auto r = curl({"--cacert", proxy.ca_file(), "-x", proxy.proxy_url(), "-w", "\n%{http_code}",
                   origin.url("localhost")});
    CHECK(r.out.find("502 Bad Gateway") == 0);
    CHECK(r.out.find("certificate") != std::string::npos);
    CHECK(r.out.substr(r.out.size() - 3) == "502");
}

TEST_CASE("an origin signed by an unknown CA is not trusted") {
    TlsOrigin origin;
    TempDir logs;
    MinewallProcess proxy(config_for(origin, logs));  // no --upstream-ca
    auto r = curl({"--cacert", proxy.ca_file(), "-x", proxy.proxy_url(), "-w", "\n%{http_code}",
                   origin.url("localhost")});
    CHECK(r.out.substr(r.out.size() - 3) == "502");
}

namespace {

// A client that does not trust minewall's CA: curl aborts the handshake with alert unknown_ca.
void reject_minted_leaf(const MinewallProcess& proxy, const TlsOrigin& origin) {
    auto r = curl({"-x", proxy.proxy_url(), "-o", "/dev/null", origin.url("localhost")});
    CHECK(r.exit_code == 60);  // CURLE_PEER_FAILED_VERIFICATION
}

std::string pinned_relief_config(bool enabled) {
    return std::string("tls:\n  pinned_relief:\n    enabled: ") + (enabled ? "true" : "false") +
           "\n    failures: 3\n    window: 1m\n    splice_ttl: 10m\n";
}

}  // namespace

TEST_CASE("pinned-app relief splices a host whose clients keep rejecting minted leaves") {
    TlsOrigin origin;
    TempDir logs;
    MinewallProcess proxy(config_for(origin, logs, pinned_relief_config(true)),
                          {"--upstream-ca", origin.ca_file()});
    for (int i = 0; i < 3; ++i)
        reject_minted_leaf(proxy, origin);
    // Now spliced: a client that trusts only the origin's CA gets through, untouched.
    auto r = curl({"-v", "--cacert", origin.ca_file(), "-x", proxy.proxy_url(), "-o", "/dev/null",
                   "-w", "%{http_code}", origin.url("localhost")});
    CHECK(r.out == "200");
    CHECK(r.err.find("issuer: CN=minewall test origin CA") != std::string::npos);
    REQUIRE(proxy.stop() == 0);
    CHECK(proxy.log().find("pinned-app relief: clients rejected the certificate for localhost") !=
          std::string::npos);
    auto lines = nss_log_lines(logs.file("web.log"));
    REQUIRE(lines.size() == 4);
    CHECK(has_pair(lines[3], "protocol=SSL"));
}

TEST_CASE("without pinned-app relief a rejected host stays bumped") {
    TlsOrigin origin;
    TempDir logs;
    MinewallProcess proxy(config_for(origin, logs, pinned_relief_config(false)),
                          {"--upstream-ca", origin.ca_file()});
    for (int i = 0; i < 3; ++i)
        reject_minted_leaf(proxy, origin);
    reject_minted_leaf(proxy, origin);  // still minewall's leaf, not the origin's
    REQUIRE(proxy.stop() == 0);
    CHECK(proxy.log().find("pinned-app relief") == std::string::npos);
}

TEST_CASE("an operator CA under a corporate root sends its chain with every leaf") {
    // root -> corporate intermediate (chain file) -> minewall's CA; clients trust only root.
    TempDir pki;
    auto ext = pki.write("ca.ext",
                         "basicConstraints=critical,CA:TRUE\n"
                         "keyUsage=critical,keyCertSign,cRLSign\n"
                         "subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n");
    auto openssl = [&](std::vector<std::string> args) {
        args.insert(args.begin(), "openssl");
        auto r = run_command(args);
        REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    };
    auto make_key_and_csr = [&](const std::string& name, const std::string& cn) {
        openssl({"req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                 "-keyout", pki.file(name + ".key"), "-out", pki.file(name + ".csr"), "-subj",
                 "/CN=" + cn});
    };
    auto sign = [&](const std::string& name, const std::string& issuer) {
        openssl({"x509", "-req", "-in", pki.file(name + ".csr"), "-CA", pki.file(issuer + ".pem"),
                 "-CAkey", pki.file(issuer + ".key"), "-set_serial",
                 "0x" + std::to_string(name.size() * 7919), "-days", "30", "-extfile", ext, "-out",
                 pki.file(name + ".pem")});
    };
    openssl({"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
             "-keyout", pki.file("root.key"), "-out", pki.file("root.pem"), "-days", "30", "-subj",
             "/CN=Test Corporate Root", "-addext", "basicConstraints=critical,CA:TRUE", "-addext",
             "keyUsage=critical,keyCertSign,cRLSign"});
    make_key_and_csr("corporate", "Test Corporate Issuing CA");
    sign("corporate", "root");
    make_key_and_csr("proxy", "Test minewall Proxy CA");
    sign("proxy", "corporate");

    TlsOrigin origin;
    TempDir logs;
    const std::string tls = "tls:\n  ca_cert_file: " + pki.file("proxy.pem") +
                            "\n  ca_key_file: " + pki.file("proxy.key") +
                            "\n  ca_chain_file: " + pki.file("corporate.pem") + "\n";
    MinewallProcess proxy(config_for(origin, logs, tls), {"--upstream-ca", origin.ca_file()});
    auto r = curl({"-v", "--cacert", pki.file("root.pem"), "-x", proxy.proxy_url(), "-o",
                   "/dev/null", "-w", "%{http_code}", origin.url("localhost")});
    CHECK(r.out == "200");
    CHECK(r.err.find("issuer: CN=Test minewall Proxy CA") != std::string::npos);

    // Without the chain file the client cannot build a path to its root.
    const std::string no_chain = "tls:\n  ca_cert_file: " + pki.file("proxy.pem") +
                                 "\n  ca_key_file: " + pki.file("proxy.key") + "\n";
    MinewallProcess unchained(config_for(origin, logs, no_chain),
                              {"--upstream-ca", origin.ca_file()});
    auto broken = curl({"--cacert", pki.file("root.pem"), "-x", unchained.proxy_url(), "-o",
                        "/dev/null", origin.url("localhost")});
    CHECK(broken.exit_code == 60);
}

TEST_CASE("an operator CA whose key does not match stops start-up naming the file") {
    TlsOrigin origin;  // its test CA and a key that is not that CA's
    TempDir dir;
    auto other_key = dir.file("other.key");
    auto made = run_command({"openssl", "genpkey", "-algorithm", "EC", "-pkeyopt",
                             "ec_paramgen_curve:P-256", "-out", other_key});
    REQUIRE(made.exit_code == 0);
    auto config = dir.write("minewall.yaml", "tls:\n  ca_cert_file: " + origin.ca_file() +
                                                 "\n  ca_key_file: " + other_key + "\n");
    auto r = run_minewall(
        {"--config", config, "--listen", "127.0.0.1:0", "--state-dir", dir.file("state")});
    CHECK(r.exit_code != 0);
    CHECK(r.err.find("key") != std::string::npos);
    CHECK(r.err.find(other_key) != std::string::npos);
}

TEST_CASE("stratum spoken inside a bumped TLS tunnel is recognised and cut") {
    TlsOrigin pool;  // a "pool" on an allowed TLS port
    TempDir logs;
    MinewallProcess proxy(json_log_config(pool, logs), {"--upstream-ca", pool.ca_file()});
    auto login = logs.write("login.json",
                            "{\"id\":1,\"jsonrpc\":\"2.0\",\"method\":\"login\",\"params\":"
                            "{\"login\":\"4ABC\",\"pass\":\"x\",\"agent\":\"XMRig/6.21.0\"}}\n");
    // -quiet implies -ign_eof: s_client keeps the connection until minewall closes it.
    auto r =
        run_command({"openssl", "s_client", "-proxy", "127.0.0.1:" + std::to_string(proxy.port()),
                     "-connect", "localhost:" + std::to_string(pool.port()), "-servername",
                     "localhost", "-CAfile", proxy.ca_file(), "-verify_return_error", "-quiet"},
                    std::chrono::seconds(20), login);
    CHECK(r.out.find("HTTP/1.1 400") == std::string::npos);  // not answered as bad HTTP
    REQUIRE(proxy.stop() == 0);
    auto lines = nss_log_lines(logs.file("web.json"));
    REQUIRE(lines.size() == 1);
    INFO(lines[0]);
    CHECK(has_json_pair(lines[0], "action", "Blocked"));
    CHECK(has_json_pair(lines[0], "threatname", "CoinMiner.Stratum"));
    CHECK(has_json_pair(lines[0], "reqmethod", "CONNECT"));
    CHECK(has_json_pair(lines[0], "ssldecrypted", "Yes"));
}

TEST_CASE("bumped requests record ALPN, TLS versions and HTTP versions") {
    TlsOrigin origin;
    TempDir logs;
    MinewallProcess proxy(json_log_config(origin, logs), {"--upstream-ca", origin.ca_file()});
    auto r = curl({"--http1.1", "--cacert", proxy.ca_file(), "-x", proxy.proxy_url(), "-o",
                   "/dev/null", "-w", "%{http_code}", origin.url("localhost")});
    CHECK(r.out == "200");
    REQUIRE(proxy.stop() == 0);
    auto lines = nss_log_lines(logs.file("web.json"));
    REQUIRE(lines.size() == 2);
    INFO(lines[0]);
    CHECK(has_json_pair(lines[0], "proto", "HTTPS"));
    CHECK(has_json_pair(lines[0], "alpnprotocol", "http/1.1"));
    CHECK(has_json_pair(lines[0], "clienttlsversion", "TLS1_3"));
    CHECK(has_json_pair(lines[0], "srvtlsversion", "TLS1_3"));
    CHECK(has_json_pair(lines[0], "reqversion", "1.1"));
    CHECK(has_json_pair(lines[0], "respversion", "1.0"));  // openssl s_server -www answers 1.0
    INFO(lines[1]);
    CHECK(has_json_pair(lines[1], "reqmethod", "CONNECT"));
    CHECK(has_json_pair(lines[1], "reqversion", "1.1"));
    CHECK(has_json_pair(lines[1], "respversion", "1.1"));
}

TEST_CASE("an SNI with a port falls back to the CONNECT host instead of failing the tunnel") {
    TlsOrigin origin;
    TempDir logs;
    MinewallProcess proxy(config_for(origin, logs), {"--upstream-ca", origin.ca_file()});
    const std::string authority = "localhost:" + std::to_string(origin.port());
    auto r =
        run_command({"openssl", "s_client", "-proxy", "127.0.0.1:" + std::to_string(proxy.port()),
                     "-connect", authority, "-servername", authority, "-verify_hostname",
                     "localhost", "-CAfile", proxy.ca_file(), "-verify_return_error", "-brief"},
                    std::chrono::seconds(20), logs.write("empty", ""));
    CHECK(r.exit_code == 0);
    CHECK((r.err + r.out).find("Verification: OK") != std::string::npos);
    REQUIRE(proxy.stop() == 0);
    CHECK(proxy.log().find("is not a host name: using the CONNECT host localhost") !=
          std::string::npos);
}

TEST_CASE("a new bumped connection reuses the verified origin TLS connection of an earlier one") {
    BumpedKeepAliveOrigin t;
    for (int i = 0; i < 3; ++i) {  // three curl processes: three client TLS connections
        auto r = curl({"--cacert", t.proxy.ca_file(), "-x", t.proxy.proxy_url(), t.url()});
        CHECK(r.out == "hello over tls\n");
    }
    CHECK(t.origin.requests_served() == 3);
    CHECK(t.origin.tls_handshakes() == 1);  // one verified origin connection served all three
    // ...and the later CONNECTs did not open a TCP connection just to drop it.
    CHECK(t.origin.tcp_connections() == 1);
    REQUIRE(t.proxy.stop() == 0);
    auto lines = nss_log_lines(t.logs.file("web.log"));
    REQUIRE(lines.size() == 6);
    CHECK(has_pair(lines[4], "protocol=HTTPS"));
    CHECK(has_pair(lines[4], "status=200"));
}

TEST_CASE("a spliced tunnel connects after the 200 when an idle bumped connection was pooled") {
    BumpedKeepAliveOrigin t("tls:\n  splice_domains: [bypass.test]\n");
    auto bumped = curl({"--cacert", t.proxy.ca_file(), "-x", t.proxy.proxy_url(), t.url()});
    CHECK(bumped.out == "hello over tls\n");
    // Same CONNECT host, so the pool has a connection for it, but the SNI is on the splice
    // list: the tunnel needs its own TCP connection, opened after the 200.
    auto spliced =
        run_command(t.s_client("bypass.test", t.pki.ca_file(), {"-verify_return_error", "-brief"}),
                    std::chrono::seconds(20), t.logs.write("empty", ""));
    CHECK(spliced.exit_code == 0);
    CHECK((spliced.err + spliced.out).find("Verification: OK") != std::string::npos);
    CHECK(t.origin.tcp_connections() == 2);
    CHECK(t.origin.tls_handshakes() == 2);
    REQUIRE(t.proxy.stop() == 0);
    auto lines = nss_log_lines(t.logs.file("web.log"));
    REQUIRE(lines.size() == 3);
    CHECK(has_pair(lines[2], "protocol=SSL"));
    CHECK(has_pair(lines[2], "serverip=127.0.0.1"));
}

TEST_CASE("SIGTERM closes an idle bumped keep-alive connection at once") {
    BumpedKeepAliveOrigin t("client:\n  keepalive_timeout: 60s\n");
    // One keep-alive request, then s_client stays connected (-ign_eof) and idle.
    ChildProcess client(t.s_client("localhost", t.proxy.ca_file(), {"-ign_eof", "-quiet"}),
                        t.logs.write("request", "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n"));
    REQUIRE(client.wait_for_output("hello over tls", std::chrono::seconds(20)));
    auto started = std::chrono::steady_clock::now();
    CHECK(t.proxy.stop() == 0);
    CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(10));
}
