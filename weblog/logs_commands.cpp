#include "weblog/logs_commands.hpp"

#include <sys/stat.h>

#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <thread>

#include "weblog/blocked_activity_summary.hpp"
#include "weblog/nss_line_parser.hpp"
#include "weblog/nss_presets.hpp"

namespace minewall::weblog {
namespace {

constexpr std::size_t kReportedBadLines = 5;

struct InputTally {
    std::uint64_t lines = 0;
    std::uint64_t unparsed = 0;
};

class SummaryRun {
  public:
    SummaryRun(const SummarizeOptions& options, std::optional<LogSyntax> syntax,
               SummaryFilter filter, std::ostream& err)
        : options_(options), syntax_(syntax), summary_(std::move(filter)), err_(err) {}

    // Feeds one line; `where` names it in messages ("web.log:12").
    void line(std::string_view text, const std::string& source, std::uint64_t number) {
        if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) return;
        ++tally_.lines;
        auto parsed = parse_nss_line(text, syntax_.value_or(LogSyntax::Auto));
        if (!parsed.error.empty()) {
            if (++tally_.unparsed <= kReportedBadLines) {
                err_ << source << ":" << number << ": " << parsed.error << "\n";
            }
            return;
        }
        for (const ParsedLogRecord& record : parsed.records) {
            if (summary_.add(to_web_event(record))) changed_ = true;
        }
    }

    void read_stream(std::istream& in, const std::string& source, std::uint64_t& number) {
        for (std::string text; std::getline(in, text);)
            line(text, source, ++number);
    }

    bool take_changed() { return std::exchange(changed_, false); }

    void print(std::ostream& out) const {
        if (options_.json) return print_json(out);
        if (options_.csv) return print_csv(out);
        print_text(out);
    }

    const InputTally& tally() const { return tally_; }

  private:
    static std::string time_text(const std::optional<std::int64_t>& t) {
        return t ? format_utc(*t) : "-";
    }

    void print_text(std::ostream& out) const {
        out << "Blocked activity: " << summary_.blocked_events() << " events in " << tally_.lines
            << " lines";
        if (tally_.unparsed > 0) out << " (" << tally_.unparsed << " unreadable)";
        out << "\n";
        out << "count\tfirstTime\tlastTime\taction\tdeviceowner\tuser\turlcategory\turl\tsrc\tdest"
               "\n";
        for (const BlockedGroup& g : summary_.groups()) {
            out << g.count << "\t" << time_text(g.first_time) << "\t" << time_text(g.last_time)
                << "\t" << g.action << "\t" << g.deviceowner << "\t" << g.user << "\t"
                << g.urlcategory << "\t" << g.url << "\t" << g.src << "\t" << g.dest << "\n";
        }
        auto ranking = [&](const char* title, const std::vector<RankedName>& list) {
            out << "\n" << title << ":\n";
            if (list.empty()) out << "  (none)\n";
            for (const RankedName& r : list)
                out << "  " << r.count << "\t" << r.name << "\n";
        };
        ranking("Top threats", summary_.top_threats(options_.top));
        ranking("Top users", summary_.top_users(options_.top));
        ranking("Top hosts", summary_.top_hosts(options_.top));
    }

    static std::string csv_field(const std::string& v) {
        if (v.find_first_of(",\"\r\n") == std::string::npos) return v;
        std::string q = "\"";
        for (char c : v) {
            if (c == '"') q += '"';
            q += c;
        }
        return q + "\"";
    }

    void print_csv(std::ostream& out) const {
        out << "count,firstTime,lastTime,action,deviceowner,user,urlcategory,url,src,dest\n";
        for (const BlockedGroup& g : summary_.groups()) {
            out << g.count << "," << csv_field(g.first_time ? format_utc(*g.first_time) : "") << ","
                << csv_field(g.last_time ? format_utc(*g.last_time) : "") << ","
                << csv_field(g.action) << "," << csv_field(g.deviceowner) << ","
                << csv_field(g.user) << "," << csv_field(g.urlcategory) << "," << csv_field(g.url)
                << "," << csv_field(g.src) << "," << csv_field(g.dest) << "\n";
        }
    }

    void print_json(std::ostream& out) const {
        nlohmann::json doc;
        doc["lines"] = tally_.lines;
        doc["unreadable"] = tally_.unparsed;
        doc["blocked"] = summary_.blocked_events();
        doc["groups"] = nlohmann::json::array();
        auto time_json = [](const std::optional<std::int64_t>& t) {
            return t ? nlohmann::json(format_utc(*t)) : nlohmann::json();
        };
        for (const BlockedGroup& g : summary_.groups()) {
            doc["groups"].push_back({{"count", g.count},
                                     {"firstTime", time_json(g.first_time)},
                                     {"lastTime", time_json(g.last_time)},
                                     {"action", g.action},
                                     {"deviceowner", g.deviceowner},
                                     {"user", g.user},
                                     {"urlcategory", g.urlcategory},
                                     {"url", g.url},
                                     {"src", g.src},
                                     {"dest", g.dest}});
        }
        auto ranking = [](const std::vector<RankedName>& list) {
            nlohmann::json a = nlohmann::json::array();
            for (const RankedName& r : list)
                a.push_back({{"name", r.name}, {"count", r.count}});
            return a;
        };
        doc["top_threats"] = ranking(summary_.top_threats(options_.top));
        doc["top_users"] = ranking(summary_.top_users(options_.top));
        doc["top_hosts"] = ranking(summary_.top_hosts(options_.top));
        // Log values may hold any bytes: replace invalid UTF-8 instead of failing.
        out << doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    }

    const SummarizeOptions& options_;
    std::optional<LogSyntax> syntax_;
    BlockedActivitySummary summary_;
    std::ostream& err_;
    InputTally tally_;
    bool changed_ = false;
};

// Reads what was appended to `path` since `offset`, reopening after rotation or truncation.
void follow_file(const std::string& path, SummaryRun& run, const SummarizeOptions& options,
                 std::ostream& out, std::uint64_t& number) {
    struct stat st {};
    ino_t inode = ::stat(path.c_str(), &st) == 0 ? st.st_ino : 0;
    std::uint64_t offset =
        ::stat(path.c_str(), &st) == 0 ? static_cast<std::uint64_t>(st.st_size) : 0;
    std::string partial;
    while (options.stop == nullptr || !options.stop->load()) {
        std::this_thread::sleep_for(options.poll_interval);
        if (::stat(path.c_str(), &st) != 0) continue;  // rotated away; wait for the new file
        if (st.st_ino != inode || static_cast<std::uint64_t>(st.st_size) < offset) {
            inode = st.st_ino;  // rotated or truncated: the new file is read from its start
            offset = 0;
            partial.clear();
        }
        if (static_cast<std::uint64_t>(st.st_size) == offset) continue;
        std::ifstream in(path, std::ios::binary);
        in.seekg(static_cast<std::streamoff>(offset));
        std::string chunk((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        offset += chunk.size();
        partial += chunk;
        std::size_t pos = 0;
        for (std::size_t nl; (nl = partial.find('\n', pos)) != std::string::npos; pos = nl + 1) {
            run.line(std::string_view(partial).substr(pos, nl - pos), path, ++number);
        }
        partial.erase(0, pos);  // keep an unfinished last line for the next round
        if (run.take_changed()) {
            run.print(out);
            out.flush();
        }
    }
}

}  // namespace

int run_logs_summarize(const SummarizeOptions& options, std::istream& stdin_stream,
                       std::ostream& out, std::ostream& err) {
    if (options.json && options.csv) {
        err << "logs summarize: --json and --csv exclude each other\n";
        return 2;
    }
    std::optional<LogSyntax> syntax;
    if (!options.format.empty()) {
        syntax = log_syntax_for_preset(options.format);
        if (!syntax) {
            err << "logs summarize: unknown --format '" << options.format << "'\n";
            return 2;
        }
    }
    SummaryFilter filter;
    filter.threat_glob = options.threat;
    if (!options.since.empty()) {
        const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
        filter.since = parse_since(options.since, now);
        if (!filter.since) {
            err << "logs summarize: --since '" << options.since
                << "' is not a time (24h, 7d, 2023-10-16, 2023-10-16 22:00:00)\n";
            return 2;
        }
    }
    if (options.follow && (options.files.size() != 1 || options.files[0] == "-")) {
        err << "logs summarize: --follow needs exactly one FILE\n";
        return 2;
    }
    SummaryRun run(options, syntax, filter, err);
    std::vector<std::string> files = options.files;
    if (files.empty()) files.push_back("-");
    bool any_read = false;
    std::uint64_t last_number = 0;
    for (const std::string& file : files) {
        std::uint64_t number = 0;
        if (file == "-") {
            run.read_stream(stdin_stream, "<stdin>", number);
            any_read = true;
            continue;
        }
        std::ifstream in(file, std::ios::binary);
        if (!in) {
            err << "logs summarize: cannot read " << file << "\n";
            continue;
        }
        run.read_stream(in, file, number);
        any_read = true;
        last_number = number;
    }
    if (run.tally().unparsed > kReportedBadLines) {
        err << "logs summarize: " << run.tally().unparsed << " lines could not be read\n";
    }
    if (!any_read) return 1;
    run.print(out);
    if (options.follow) {
        out.flush();
        run.take_changed();
        follow_file(files[0], run, options, out, last_number);
    }
    return 0;
}

void register_logs_commands(CLI::App& root) {
    CLI::App* logs = root.add_subcommand("logs", "Read NSS web logs written by minewall");
    logs->require_subcommand(1);
    auto options = std::make_shared<SummarizeOptions>();
    CLI::App* summarize = logs->add_subcommand(
        "summarize", "Blocked activity grouped like the SOC search, top threats, users, hosts");
    std::vector<std::string> presets(preset_names().begin(), preset_names().end());
    summarize->add_option("files", options->files, "NSS log files ('-' = standard input)");
    summarize->add_option("--format", options->format, "Preset the lines use (default: detect)")
        ->check(CLI::IsMember(presets));
    summarize->add_option("--since", options->since, "Only events after: 24h, 7d, 2023-10-16 ...");
    summarize->add_option("--threat", options->threat, "Threat name glob, e.g. '*miner*'");
    summarize->add_option("--top", options->top, "Entries in the top lists")->default_val(10);
    auto* json = summarize->add_flag("--json", options->json, "JSON output");
    summarize->add_flag("--csv", options->csv, "CSV output (groups only)")->excludes(json);
    summarize->add_flag("--follow", options->follow, "Keep reading FILE as it grows");
    summarize->callback([options] {
        const int rc = run_logs_summarize(*options, std::cin, std::cout, std::cerr);
        if (rc != 0) throw CLI::RuntimeError(rc);
    });
}

}  // namespace minewall::weblog
