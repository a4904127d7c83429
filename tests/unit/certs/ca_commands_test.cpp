#include "certs/ca_commands.hpp"

#include <doctest/doctest.h>

#include <CLI/CLI.hpp>
#include <sstream>

#include "tests/unit/certs/scratch_dir.hpp"

using namespace minewall::certs;
using minewall::test::ScratchDir;

TEST_CASE("ca init creates a CA and ca show prints its fingerprint") {
    ScratchDir dir;
    std::ostringstream out;
    std::ostringstream err;
    REQUIRE(run_ca_init({.dir = dir / "ca"}, out, err) == 0);
    CHECK(out.str().find("mode 0600") != std::string::npos);
    CHECK(out.str().find("ECDSA P-256") != std::string::npos);

    std::ostringstream shown;
    REQUIRE(run_ca_show({.dir = dir / "ca", .pem = true}, shown, err) == 0);
    CHECK(shown.str().find("subject:      CN=minewall CA (") != std::string::npos);
    CHECK(shown.str().find("sha256:") != std::string::npos);
    CHECK(shown.str().find("valid until:") != std::string::npos);
    CHECK(shown.str().find("-----BEGIN CERTIFICATE-----") != std::string::npos);
    CHECK(err.str().empty());
}

TEST_CASE("ca init refuses an existing CA without --force") {
    ScratchDir dir;
    std::ostringstream out;
    std::ostringstream err;
    REQUIRE(run_ca_init({.dir = dir.path().string()}, out, err) == 0);
    CHECK(run_ca_init({.dir = dir.path().string()}, out, err) == 1);
    CHECK(err.str().find("--force") != std::string::npos);
    CHECK(run_ca_init({.dir = dir.path().string(), .force = true}, out, err) == 0);
}

TEST_CASE("ca show fails clearly without a CA") {
    ScratchDir dir;
    std::ostringstream out;
    std::ostringstream err;
    CHECK(run_ca_show({.dir = dir / "none"}, out, err) == 1);
    CHECK(err.str().find("cannot read") != std::string::npos);
}

TEST_CASE("registers ca init and ca show using the default folder") {
    ScratchDir dir;
    CLI::App app("minewall");
    register_ca_commands(app, [&] { return dir / "default-ca"; });
    const char* init_args[] = {"minewall", "ca", "init"};
    CHECK_NOTHROW(app.parse(3, init_args));
    CHECK(std::filesystem::exists(dir / "default-ca/ca.pem"));

    CLI::App again("minewall");
    register_ca_commands(again, [&] { return dir / "default-ca"; });
    try {
        again.parse(3, init_args);
        FAIL("expected a RuntimeError");
    } catch (const CLI::RuntimeError& e) {
        CHECK(e.get_exit_code() == 1);
    }
}
