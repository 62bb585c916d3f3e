// An IPv4 or IPv6 network, written in the config as a CIDR block (`10.0.0.0/8`, `2001:db8::/32`)
// or a single address (`127.0.0.1`, `::1`: a /32 or /128). Used for the proxies allowed to
// connect to a PROXY listener (`proxy_allowed_sources`).
//
//   std::string why;
//   auto net = IpNetwork::parse("10.0.0.0/8", &why);
//   if (!net) fail(why);
//   if (net->contains(peer.sockaddr_ptr())) ...
#pragma once

#include <sys/socket.h>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace akasa::config {

class IpNetwork {
  public:
    // Parses `address` or `address/prefix` (IPv4 dotted quad, or IPv6 without brackets, port or
    // zone id). Host bits after the prefix must be zero (`10.1.2.3/8` is refused with a hint:
    // such a typo would silently allow a different network than meant). On failure returns
    // nullopt and, when `error` is not null, stores a sentence saying what is wrong.
    static std::optional<IpNetwork> parse(std::string_view text, std::string* error = nullptr);

    // Whether `address` (an AF_INET or AF_INET6 sockaddr) lies in this network. An IPv4-mapped
    // IPv6 address (`::ffff:10.1.2.3`, what a dual-stack `[::]` listener sees for IPv4
    // clients) counts as its IPv4 address. Other families never match.
    bool contains(const sockaddr* address) const;

    int family() const { return family_; }  // AF_INET or AF_INET6
    unsigned prefix_length() const { return prefix_; }
    // `10.0.0.0/8`, `::1/128`: always with the prefix.
    std::string to_string() const;

    bool operator==(const IpNetwork&) const = default;

  private:
    bool contains_bytes(const std::uint8_t* address) const;

    int family_ = AF_INET;
    std::array<std::uint8_t, 16> bytes_{};  // network address; IPv4 uses the first 4
    unsigned prefix_ = 32;
};

}  // namespace akasa::config
