#include "config/ip_network.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <netinet/in.h>

#include <charconv>
#include <cstring>

namespace akasa::config {
namespace {

bool fail(std::string* error, std::string message) {
    if (error) *error = std::move(message);
    return false;
}

// The first `prefix` bits of a and b are equal.
bool same_prefix(const std::uint8_t* a, const std::uint8_t* b, unsigned prefix) {
    const unsigned whole = prefix / 8;
    if (std::memcmp(a, b, whole) != 0) return false;
    const unsigned rest = prefix % 8;
    if (rest == 0) return true;
    const auto mask = static_cast<std::uint8_t>(0xff << (8 - rest));
    return (a[whole] & mask) == (b[whole] & mask);
}

// The address with every bit after `prefix` cleared.
std::array<std::uint8_t, 16> masked(std::array<std::uint8_t, 16> bytes, unsigned prefix,
                                    unsigned size) {
    for (unsigned bit = prefix; bit < size * 8; ++bit) {
        bytes[bit / 8] &= static_cast<std::uint8_t>(~(0x80 >> (bit % 8)));
    }
    return bytes;
}

std::string format_address(int family, const std::array<std::uint8_t, 16>& bytes) {
    char buffer[INET6_ADDRSTRLEN] = {};
    inet_ntop(family, bytes.data(), buffer, sizeof buffer);
    return buffer;
}

}  // namespace

std::optional<IpNetwork> IpNetwork::parse(std::string_view text, std::string* error) {
    const auto slash = text.find('/');
    const std::string address(text.substr(0, slash));
    IpNetwork network;
    unsigned size = 0;  // address bytes
    if (address.find(':') != std::string::npos) {
        if (address.find_first_of("[]%") != std::string::npos ||
            inet_pton(AF_INET6, address.c_str(), network.bytes_.data()) != 1) {
            fail(error, "'" + address +
                            "' is not an IPv6 address (write it without brackets, port or zone "
                            "id, e.g. 2001:db8::/32 or ::1)");
            return std::nullopt;
        }
        network.family_ = AF_INET6;
        size = 16;
    } else {
        if (inet_pton(AF_INET, address.c_str(), network.bytes_.data()) != 1) {
            fail(error, "'" + address +
                            "' is not an IPv4 or IPv6 address (host names are not accepted; "
                            "write an address such as 10.0.0.5 or a network such as 10.0.0.0/8)");
            return std::nullopt;
        }
        network.family_ = AF_INET;
        size = 4;
    }
    network.prefix_ = size * 8;
    if (slash != std::string_view::npos) {
        const std::string_view digits = text.substr(slash + 1);
        unsigned prefix = 0;
        auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), prefix);
        if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size()) {
            fail(error, fmt::format("the prefix length '{}' is not a decimal number", digits));
            return std::nullopt;
        }
        if (prefix > size * 8) {
            fail(error, fmt::format("the prefix length {} is too long for an {} address (at "
                                    "most {})",
                                    prefix, size == 4 ? "IPv4" : "IPv6", size * 8));
            return std::nullopt;
        }
        network.prefix_ = prefix;
    }
    const auto base = masked(network.bytes_, network.prefix_, size);
    if (base != network.bytes_) {
        fail(error, fmt::format("'{}' has bits set after the prefix length; the network is "
                                "{}/{} (write that, or the single address without a prefix)",
                                std::string(text), format_address(network.family_, base),
                                network.prefix_));
        return std::nullopt;
    }
    return network;
}

bool IpNetwork::contains_bytes(const std::uint8_t* address) const {
    return same_prefix(address, bytes_.data(), prefix_);
}

bool IpNetwork::contains(const sockaddr* address) const {
    if (address == nullptr) return false;
    if (address->sa_family == AF_INET) {
        const auto* v4 = reinterpret_cast<const sockaddr_in*>(address);
        if (family_ != AF_INET) return false;
        return contains_bytes(reinterpret_cast<const std::uint8_t*>(&v4->sin_addr));
    }
    if (address->sa_family == AF_INET6) {
        const auto* v6 = reinterpret_cast<const sockaddr_in6*>(address);
        const auto* bytes = reinterpret_cast<const std::uint8_t*>(&v6->sin6_addr);
        if (family_ == AF_INET6) return contains_bytes(bytes);
        // ::ffff:a.b.c.d is the IPv4 client a.b.c.d on a dual-stack socket.
        if (IN6_IS_ADDR_V4MAPPED(&v6->sin6_addr)) return contains_bytes(bytes + 12);
    }
    return false;
}

std::string IpNetwork::to_string() const {
    return fmt::format("{}/{}", format_address(family_, bytes_), prefix_);
}

}  // namespace akasa::config
