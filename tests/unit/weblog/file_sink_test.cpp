#include "weblog/file_sink.hpp"

#include <doctest/doctest.h>

#include <filesystem>

#include "tests/unit/weblog/temp_dir.hpp"
#include "tests/unit/weblog/test_files.hpp"

using namespace minewall::weblog;
using namespace minewall::weblog::test;

namespace {

std::vector<std::string> make_lines(int from, int count) {
    std::vector<std::string> lines;
    for (int i = from; i < from + count; ++i)
        lines.push_back("record " + std::to_string(i) + "\n");
    return lines;
}

std::unique_ptr<FileSink> open_sink(const std::filesystem::path& path,
                                    RotationOptions rotation = {},
                                    FileSink::Clock clock = nullptr) {
    std::string error;
    auto sink = FileSink::open(FileDestination{path, rotation}, error, std::move(clock));
    REQUIRE_MESSAGE(sink, error);
    return sink;
}

}  // namespace

TEST_CASE("file sink appends batches to an existing file and creates directories") {
    TempDir dir;
    const auto path = dir / "sub/web.log";
    std::filesystem::create_directories(path.parent_path());
    { std::ofstream(path) << "old line\n"; }
    auto sink = open_sink(path);
    auto lines = make_lines(0, 3);
    sink->write(lines);
    sink->close();
    CHECK(read_text(path) == "old line\nrecord 0\nrecord 1\nrecord 2\n");
    CHECK(sink->stats().written == 3);
    CHECK(sink->stats().dropped == 0);
}

TEST_CASE("file sink rotates by size and keeps N files") {
    TempDir dir;
    const auto path = dir / "web.log";
    auto sink = open_sink(path, RotationOptions{40, false, 2});
    for (int i = 0; i < 10; ++i) {
        auto lines = make_lines(i * 2, 2);  // 2 x 9 bytes per batch
        sink->write(lines);
    }
    sink->close();
    CHECK(std::filesystem::exists(path));
    CHECK(std::filesystem::exists(dir / "web.log.1"));
    CHECK(std::filesystem::exists(dir / "web.log.2"));
    CHECK_FALSE(std::filesystem::exists(dir / "web.log.3"));
    for (const auto& p : {path, dir / "web.log.1", dir / "web.log.2"}) {
        CHECK(std::filesystem::file_size(p) <= 40);
    }
    // The newest lines are in the live file, the ones before them in .1.
    CHECK(read_text(path).ends_with("record 19\n"));
    CHECK(read_text(dir / "web.log.1").find("record 14\n") != std::string::npos);
    CHECK(sink->stats().written == 20);
}

TEST_CASE("file sink splits one large batch where size rotation falls") {
    TempDir dir;
    const auto path = dir / "web.log";
    auto sink = open_sink(path, RotationOptions{40, false, 3});
    auto lines = make_lines(0, 10);  // 10 x 9 bytes in a single batch
    sink->write(lines);
    sink->close();
    // As if the records had come one by one: 4 lines (36 bytes) per file at most.
    CHECK(read_text(dir / "web.log.2") == "record 0\nrecord 1\nrecord 2\nrecord 3\n");
    CHECK(read_text(dir / "web.log.1") == "record 4\nrecord 5\nrecord 6\nrecord 7\n");
    CHECK(read_text(path) == "record 8\nrecord 9\n");
    CHECK(sink->stats().written == 10);
    CHECK(sink->stats().dropped == 0);
}

TEST_CASE("file sink rotates at the first write of a new day") {
    TempDir dir;
    const auto path = dir / "web.log";
    auto now = std::chrono::system_clock::now();
    auto sink = open_sink(path, RotationOptions{0, true, 3}, [&] { return now; });
    auto first = make_lines(0, 1);
    sink->write(first);
    auto same_day = make_lines(1, 1);
    sink->write(same_day);
    now += std::chrono::hours(24);
    auto next_day = make_lines(2, 1);
    sink->write(next_day);
    sink->close();
    CHECK(read_text(dir / "web.log.1") == "record 0\nrecord 1\n");
    CHECK(read_text(path) == "record 2\n");
}

TEST_CASE("file sink reopen follows an external rotation") {
    TempDir dir;
    const auto path = dir / "web.log";
    auto sink = open_sink(path);
    auto a = make_lines(0, 1);
    sink->write(a);
    std::filesystem::rename(path, dir / "web.log.moved");
    sink->reopen();
    auto b = make_lines(1, 1);
    sink->write(b);
    sink->close();
    CHECK(read_text(dir / "web.log.moved") == "record 0\n");
    CHECK(read_text(path) == "record 1\n");
}

TEST_CASE("file sink reports a path it cannot open") {
    std::string error;
    CHECK_FALSE(FileSink::open(FileDestination{"/proc/minewall-no/web.log", {}}, error));
    CHECK(error.find("/proc/minewall-no/web.log") != std::string::npos);
}
