#include "identity/client_identity_map.hpp"

#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

using minewall::identity::ClientIdentity;
using minewall::identity::ClientIdentityMap;

namespace {

constexpr const char* kHeader = "cidr,user,department,device_owner,device_hostname,location\n";

std::shared_ptr<const ClientIdentityMap> load_ok(const std::string& text) {
    auto r = ClientIdentityMap::load_text(text, "clients.csv");
    REQUIRE(r.map);
    CHECK(r.errors.empty());
    return r.map;
}

std::string user_of(const ClientIdentityMap& map, std::string_view ip) {
    auto id = map.lookup(ip);
    return id ? id->user : "<none>";
}

}  // namespace

TEST_CASE("the most specific network wins") {
    auto map = load_ok(std::string(kHeader) +
                       "10.0.0.0/8,corp,,,,\n"
                       "10.1.2.3,alice,Engineering,alice,alice-laptop,Building A\n"
                       "10.1.0.0/16,eng,Engineering,,,\n"
                       "10.1.2.0/24,floor2,Engineering,,,Building A\n"
                       "0.0.0.0/0,anyone-v4,,,,\n");
    CHECK(map->size() == 5);
    CHECK(user_of(*map, "10.1.2.3") == "alice");
    CHECK(user_of(*map, "10.1.2.4") == "floor2");
    CHECK(user_of(*map, "10.1.3.4") == "eng");
    CHECK(user_of(*map, "10.200.0.1") == "corp");
    CHECK(user_of(*map, "192.0.2.1") == "anyone-v4");

    auto alice = map->lookup("10.1.2.3");
    REQUIRE(alice);
    CHECK(*alice == ClientIdentity{"alice", "Engineering", "alice", "alice-laptop", "Building A"});
}

TEST_CASE("uncovered and non-address lookups find nothing") {
    auto map = load_ok(std::string(kHeader) + "10.0.0.0/8,corp,,,,\n");
    CHECK_FALSE(map->lookup("192.0.2.1"));
    CHECK_FALSE(map->lookup("2001:db8::1"));
    CHECK_FALSE(map->lookup(""));
    CHECK_FALSE(map->lookup("10.0.0"));
    CHECK_FALSE(map->lookup("10.0.0.1:443"));
    CHECK_FALSE(map->lookup("host.example"));
}

TEST_CASE("IPv6 networks and hosts, in any spelling") {
    auto map = load_ok(std::string(kHeader) +
                       "2001:db8::/32,v6-corp,,,,\n"
                       "2001:db8:1::/48,v6-lab,Research,,,Lab\n"
                       "2001:db8:1::42,v6-host,Research,bob,bob-ws,Lab\n"
                       "::1,loopback,,,,\n");
    CHECK(user_of(*map, "2001:db8:1:0:0:0:0:42") == "v6-host");
    CHECK(user_of(*map, "2001:DB8:1::42") == "v6-host");
    CHECK(user_of(*map, "2001:db8:1::43") == "v6-lab");
    CHECK(user_of(*map, "2001:db8:ffff::1") == "v6-corp");
    CHECK(user_of(*map, "::1") == "loopback");
    CHECK(user_of(*map, "2001:db9::1") == "<none>");
}

TEST_CASE("IPv4-mapped IPv6 clients match IPv4 entries and the other way round") {
    auto map = load_ok(std::string(kHeader) +
                       "10.1.2.3,alice,,,,\n"
                       "::ffff:192.168.0.0/112,mapped-net,,,,\n");
    // A dual-stack listener reports IPv4 clients as ::ffff:a.b.c.d.
    CHECK(user_of(*map, "::ffff:10.1.2.3") == "alice");
    CHECK(user_of(*map, "::FFFF:0a01:0203") == "alice");
    CHECK(user_of(*map, "192.168.7.9") == "mapped-net");
    CHECK(user_of(*map, "::ffff:192.168.7.9") == "mapped-net");
    CHECK(user_of(*map, "10.1.2.4") == "<none>");
}

TEST_CASE("quoted fields may hold commas, quotes and surrounding spaces") {
    auto map = load_ok(std::string(kHeader) +
                       "\"10.0.0.1\",\"Smith, Jane\",\"R&D \"\"Skunkworks\"\"\",,"
                       "\"\",\"Building A, floor 2\"\n"
                       "  10.0.0.2 ,  \"  padded  \"  , Sales ,,, \n");
    auto jane = map->lookup("10.0.0.1");
    REQUIRE(jane);
    CHECK(jane->user == "Smith, Jane");
    CHECK(jane->department == "R&D \"Skunkworks\"");
    CHECK(jane->device_owner.empty());
    CHECK(jane->device_hostname.empty());
    CHECK(jane->location == "Building A, floor 2");

    auto padded = map->lookup("10.0.0.2");
    REQUIRE(padded);
    CHECK(padded->user == "  padded  ");  // spaces inside quotes are data
    CHECK(padded->department == "Sales");
    CHECK(padded->location.empty());
}

TEST_CASE("columns may come in any order and optional ones may be left out") {
    auto map = load_ok(
        "Location, CIDR ,user\n"
        "\"HQ, 3rd floor\",172.16.0.0/12,carol\n");
    auto id = map->lookup("172.20.1.1");
    REQUIRE(id);
    CHECK(*id == ClientIdentity{"carol", "", "", "", "HQ, 3rd floor"});
}

TEST_CASE("bad lines are reported with line numbers and the good ones still load") {
    const std::string text = std::string("# site clients\n") +  // 1
                             kHeader +                          // 2
                             "10.0.0.1,alice,,,,\n" +           // 3
                             "10.0.0.300,bad-ip,,,,\n" +        // 4
                             "10.0.0.0/33,bad-prefix,,,,\n" +   // 5
                             "10.0.0.2,too,few\n" +             // 6
                             "10.0.0.3,a,b,c,d,e,f\n" +         // 7
                             "10.0.0.4,\"unterminated,,,,\n" +  // 8
                             "10.0.0.5,\"closed\"junk,,,,\n" +  // 9
                             "10.0.0.6,al\"ice,,,,\n" +         // 10
                             "10.0.0.7,\"tab\there\",,,,\n" +   // 11
                             "10.1.2.3/16,typo,,,,\n" +         // 12
                             "10.0.0.1,again,,,,\n" +           // 13
                             ",no-cidr,,,,\n" +                 // 14
                             "\n" +                             // 15
                             "10.0.0.8,bob,,,,\n";              // 16
    auto r = ClientIdentityMap::load_text(text, "clients.csv");
    REQUIRE(r.map);
    CHECK(r.map->size() == 2);
    CHECK(user_of(*r.map, "10.0.0.1") == "alice");
    CHECK(user_of(*r.map, "10.0.0.8") == "bob");
    CHECK(user_of(*r.map, "10.0.0.2") == "<none>");
    CHECK(user_of(*r.map, "10.1.9.9") == "<none>");

    const std::vector<std::string> expected = {
        "clients.csv:4: invalid address or network '10.0.0.300'",
        "clients.csv:5: invalid address or network '10.0.0.0/33'",
        "clients.csv:6: expected 6 fields, found 3",
        "clients.csv:7: expected 6 fields, found 7",
        "clients.csv:8: unterminated quoted field (a field may not span lines)",
        "clients.csv:9: unexpected text after a closing quote",
        "clients.csv:10: quote inside an unquoted field (quote the whole field and double the "
        "quote)",
        "clients.csv:11: field 2 contains control characters",
        "clients.csv:12: address '10.1.2.3/16' has bits set beyond its prefix length",
        "clients.csv:13: duplicate network '10.0.0.1' (first defined on line 3); this line is "
        "ignored",
        "clients.csv:14: invalid address or network ''",
    };
    CHECK(r.errors == expected);
}

TEST_CASE("the same network written two ways is a duplicate") {
    auto r = ClientIdentityMap::load_text(std::string(kHeader) +
                                              "2001:db8::/32,a,,,,\n"
                                              "2001:0db8:0000::/32,b,,,,\n"
                                              "10.0.0.1,c,,,,\n"
                                              "::ffff:10.0.0.1,d,,,,\n",
                                          "c.csv");
    REQUIRE(r.map);
    CHECK(r.map->size() == 2);
    REQUIRE(r.errors.size() == 2);
    CHECK(r.errors[0].starts_with("c.csv:3: duplicate network"));
    CHECK(r.errors[1].starts_with("c.csv:5: duplicate network"));
    CHECK(user_of(*r.map, "2001:db8::1") == "a");
    CHECK(user_of(*r.map, "10.0.0.1") == "c");
}

TEST_CASE("an unusable header row refuses the file") {
    auto empty = ClientIdentityMap::load_text("", "e.csv");
    CHECK_FALSE(empty.map);
    REQUIRE(empty.errors.size() == 1);
    CHECK(empty.errors[0].starts_with("e.csv:1: missing header row"));

    auto comments_only = ClientIdentityMap::load_text("# nothing\n\n", "c.csv");
    CHECK_FALSE(comments_only.map);
    REQUIRE(comments_only.errors.size() == 1);
    CHECK(comments_only.errors[0].starts_with("c.csv:2: missing header row"));

    auto no_cidr = ClientIdentityMap::load_text("user,location\nalice,HQ\n", "n.csv");
    CHECK_FALSE(no_cidr.map);
    REQUIRE(no_cidr.errors.size() == 1);
    CHECK(no_cidr.errors[0] == "n.csv:1: header row has no 'cidr' column");

    auto twice = ClientIdentityMap::load_text("cidr,user,User\n10.0.0.1,a,b\n", "t.csv");
    CHECK_FALSE(twice.map);
    REQUIRE(twice.errors.size() == 1);
    CHECK(twice.errors[0] == "t.csv:1: duplicate column 'User'");

    auto broken = ClientIdentityMap::load_text("cidr,\"user\n", "b.csv");
    CHECK_FALSE(broken.map);
    REQUIRE(broken.errors.size() == 1);
    CHECK(broken.errors[0].starts_with("b.csv:1: unterminated quoted field"));
}

TEST_CASE("an unknown column is reported and ignored") {
    auto r = ClientIdentityMap::load_text("cidr,user,cost_centre\n10.0.0.1,alice,4711\n", "u.csv");
    REQUIRE(r.map);
    REQUIRE(r.errors.size() == 1);
    CHECK(r.errors[0].starts_with("u.csv:1: unknown column 'cost_centre' ignored"));
    auto id = r.map->lookup("10.0.0.1");
    REQUIRE(id);
    CHECK(*id == ClientIdentity{"alice", "", "", "", ""});
}

TEST_CASE("CRLF line endings and a spreadsheet BOM are accepted") {
    auto map = load_ok(
        "\xEF\xBB\xBF"
        "cidr,user,department,device_owner,device_hostname,location\r\n"
        "10.0.0.1,alice,Eng,alice,lap,\"HQ\"\r\n");
    auto id = map->lookup("10.0.0.1");
    REQUIRE(id);
    CHECK(id->user == "alice");
    CHECK(id->location == "HQ");
}

TEST_CASE("hostile values are cut short in error messages") {
    auto r = ClientIdentityMap::load_text(std::string(kHeader) + std::string(500, 'x') + ",a,,,,\n",
                                          "h.csv");
    REQUIRE(r.errors.size() == 1);
    CHECK(r.errors[0].size() < 140);
    CHECK(r.errors[0].ends_with("...'"));
}

TEST_CASE("load_file reads a CSV file and reports one it cannot read") {
    auto path = std::filesystem::temp_directory_path() /
                ("minewall-identity-clients-" + std::to_string(::getpid()) + ".csv");
    {
        std::ofstream out(path);
        out << kHeader << "10.9.0.0/16,,Ops,,,DC1\nnot-an-ip,,,,,\n";
    }
    auto r = ClientIdentityMap::load_file(path.string());
    REQUIRE(r.map);
    auto id = r.map->lookup("10.9.1.1");
    REQUIRE(id);
    CHECK(id->department == "Ops");
    CHECK(id->location == "DC1");
    REQUIRE(r.errors.size() == 1);
    CHECK(r.errors[0] == path.string() + ":3: invalid address or network 'not-an-ip'");
    std::filesystem::remove(path);

    auto missing = ClientIdentityMap::load_file(path.string());
    CHECK_FALSE(missing.map);
    REQUIRE(missing.errors.size() == 1);
    CHECK(missing.errors[0] ==
          path.string() + ": cannot read the client identity file: No such file or directory");
}
