#include "certs/ca_commands.hpp"

#include <CLI/CLI.hpp>
#include <memory>
#include <ostream>

#include "certs/certificate_authority.hpp"

namespace minewall::certs {
namespace {

void print_summary(const CaSummary& s, const std::string& cert_path, std::ostream& out) {
    out << "certificate:  " << cert_path << '\n' << "subject:      " << s.subject << '\n';
    if (!s.self_signed) out << "issuer:       " << s.issuer << '\n';
    out << "key:          " << s.key << '\n'
        << "sha256:       " << s.sha256_fingerprint << '\n'
        << "valid from:   " << s.not_before << '\n'
        << "valid until:  " << s.not_after << '\n';
    if (s.intermediates > 0) out << "intermediates: " << s.intermediates << '\n';
}

}  // namespace

int run_ca_init(const CaInitOptions& options, std::ostream& out, std::ostream& err) {
    CaGenerateOptions generate;
    generate.key_type = options.rsa ? CaKeyType::rsa_3072 : CaKeyType::ecdsa_p256;
    CaResult created = create_ca(options.dir, generate, options.force);
    if (!created.ca) {
        err << "minewall ca init: " << created.error << '\n';
        return 1;
    }
    const CaFiles files = ca_files_in(options.dir);
    out << "created a new CA (private key: " << files.key_path << ", mode 0600)\n";
    print_summary(describe_ca(*created.ca), files.cert_path, out);
    out << "install " << files.cert_path
        << " as a trusted root on the clients that use the proxy\n";
    return 0;
}

int run_ca_show(const CaShowOptions& options, std::ostream& out, std::ostream& err) {
    const CaFiles files = ca_files_in(options.dir);
    CaResult loaded = load_ca(files);
    if (!loaded.ca) {
        err << "minewall ca show: " << loaded.error << '\n';
        return 1;
    }
    print_summary(describe_ca(*loaded.ca), files.cert_path, out);
    if (options.pem) out << loaded.ca->certificate_pem();
    return 0;
}

void register_ca_commands(CLI::App& root, std::function<std::string()> default_ca_dir) {
    CLI::App* ca =
        root.add_subcommand("ca", "Manage the CA that signs certificates for bumped TLS");
    ca->require_subcommand(1);

    auto init_options = std::make_shared<CaInitOptions>();
    CLI::App* init = ca->add_subcommand("init", "Create a new CA (ca.pem + ca.key)");
    init->add_option("--dir", init_options->dir, "CA folder (default: <state dir>/ca)");
    init->add_flag("--rsa", init_options->rsa, "RSA-3072 key instead of ECDSA P-256");
    init->add_flag("--force", init_options->force, "Replace an existing CA");
    init->callback([init_options, default_ca_dir] {
        if (init_options->dir.empty()) init_options->dir = default_ca_dir();
        if (int code = run_ca_init(*init_options, std::cout, std::cerr); code != 0) {
            throw CLI::RuntimeError(code);
        }
    });

    auto show_options = std::make_shared<CaShowOptions>();
    CLI::App* show = ca->add_subcommand("show", "Print the CA subject, fingerprint and validity");
    show->add_option("--dir", show_options->dir, "CA folder (default: <state dir>/ca)");
    show->add_flag("--pem", show_options->pem, "Also print the certificate in PEM form");
    show->callback([show_options, default_ca_dir] {
        if (show_options->dir.empty()) show_options->dir = default_ca_dir();
        if (int code = run_ca_show(*show_options, std::cout, std::cerr); code != 0) {
            throw CLI::RuntimeError(code);
        }
    });
}

}  // namespace minewall::certs
