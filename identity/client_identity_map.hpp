#pragma once
// Client address -> who is behind it (user, department, device owner and hostname, location),
// for the NSS web-log fields login, dept, deviceowner, devicehostname and location. Loaded from
// a CSV file maintained by the site:
//
//   cidr,user,department,device_owner,device_hostname,location
//   10.1.0.0/16,,Engineering,,,Building A
//   10.1.2.3,alice,Engineering,alice,alice-laptop,"Building A, floor 2"
//
// The header row names the columns (any order; `cidr` is required, the others optional).
// Fields follow RFC 4180 quoting (commas and doubled quotes inside quotes); a field may not span
// lines or contain control characters, since every value ends up in a log line. Blank lines
// and lines starting with '#' are skipped. The most specific network containing the address
// wins (longest prefix); IPv4 and IPv4-mapped IPv6 addresses are the same address.
#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace minewall::identity {

struct ClientIdentity {
    std::string user;
    std::string department;
    std::string device_owner;
    std::string device_hostname;
    std::string location;

    bool operator==(const ClientIdentity&) const = default;
};

// Immutable once loaded; lookup() is safe from any thread.
class ClientIdentityMap {
  public:
    struct LoadResult {
        // Null only when the file cannot be read or its header row is unusable; otherwise every
        // good line is loaded even when others were reported.
        std::shared_ptr<const ClientIdentityMap> map;
        std::vector<std::string> errors;  // "file:line: message"
    };

    static LoadResult load_file(const std::string& path);
    static LoadResult load_text(std::string_view text, const std::string& name);

    // The identity of the most specific network containing `client_ip` ("10.1.2.3", "::1",
    // "::ffff:10.1.2.3"); nullopt when the address is not covered or not an address.
    std::optional<ClientIdentity> lookup(std::string_view client_ip) const;

    std::size_t size() const { return entry_count_; }

  private:
    using Address = std::array<std::uint8_t, 16>;  // IPv4 stored as IPv4-mapped IPv6

    // For each prefix length in use (over the 128-bit mapped form), the masked networks of that
    // length. lookup() masks the address once per length, longest first: the cost is bounded
    // by the number of distinct lengths (at most 129), not by the number of entries.
    std::map<unsigned, std::map<Address, ClientIdentity>, std::greater<>> by_prefix_;
    std::size_t entry_count_ = 0;
};

}  // namespace minewall::identity
