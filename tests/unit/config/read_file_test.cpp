#include "text/read_file.hpp"

#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

using minewall::text::read_file;

TEST_CASE("read_file reads a whole file and names why it cannot") {
    auto dir = std::filesystem::temp_directory_path() /
               ("minewall-read-file-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const auto file = (dir / "data.bin").string();
    {
        std::ofstream out(file, std::ios::binary);
        out << std::string("a\0b\r\nc", 6);
    }
    auto ok = read_file(file);
    REQUIRE(ok.content);
    CHECK(*ok.content == std::string("a\0b\r\nc", 6));
    CHECK(ok.error.empty());

    { std::ofstream empty(file, std::ios::trunc); }
    auto empty = read_file(file);
    REQUIRE(empty.content);  // an empty file is read, as empty
    CHECK(empty.content->empty());

    auto missing = read_file((dir / "missing").string());
    CHECK_FALSE(missing.content);
    CHECK(missing.error == "No such file or directory");

    auto directory = read_file(dir.string());
    CHECK_FALSE(directory.content);
    CHECK(directory.error == "it is a directory");

    // A device or a FIFO is refused without reading (or, for a FIFO, waiting for a writer).
    auto device = read_file("/dev/zero");
    CHECK_FALSE(device.content);
    CHECK(device.error == "not a regular file");
    const auto fifo = (dir / "fifo").string();
    REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    auto pipe = read_file(fifo);
    CHECK_FALSE(pipe.content);
    CHECK(pipe.error == "not a regular file");
    std::filesystem::remove_all(dir);
}
