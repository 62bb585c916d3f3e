#include "config/socket_address.h"

#include <arpa/inet.h>
#include <fmt/format.h>

#include <charconv>
#include <cstring>

namespace akasa::config {
namespace {

bool fail(std::string* error, std::string message) {
    if (error) *error = std::move(message);
    return false;
}

// Decimal digits only, 0..65535 (leading zeros allowed, no sign). Port 0 asks the OS for a
// free port, which tests use; the server reports the port it got.
bool parse_port(std::string_view text, std::uint16_t& port, std::string* error) {
    if (text.empty()) return fail(error, "the port is missing (expected IPv4:port or [IPv6]:port)");
    unsigned value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec == std::errc::result_out_of_range ||
        (ec == std::errc() && end == text.data() + text.size() && value > 65535)) {
        return fail(error, "the port must be between 0 and 65535");
    }
    if (ec != std::errc() || end != text.data() + text.size()) {
        return fail(error, "the port is not a decimal number");
    }
    port = static_cast<std::uint16_t>(value);
    return true;
}

}  // namespace

std::optional<SocketAddress> SocketAddress::parse(std::string_view text, std::string* error) {
    SocketAddress result;
    std::string host;
    std::string_view port_text;
    bool v6 = false;
    if (!text.empty() && text.front() == '[') {
        auto close = text.find(']');
        if (close == std::string_view::npos) {
            fail(error, "an IPv6 address needs a closing ']' (expected [IPv6]:port)");
            return std::nullopt;
        }
        host = std::string(text.substr(1, close - 1));
        auto rest = text.substr(close + 1);
        if (rest.empty() || rest.front() != ':') {
            fail(error, "the port is missing (expected [IPv6]:port)");
            return std::nullopt;
        }
        port_text = rest.substr(1);
        v6 = true;
    } else {
        auto colon = text.rfind(':');
        if (colon == std::string_view::npos) {
            fail(error, "the port is missing (expected IPv4:port or [IPv6]:port)");
            return std::nullopt;
        }
        host = std::string(text.substr(0, colon));
        if (host.find(':') != std::string::npos) {
            fail(error, "an IPv6 address must be written in brackets: [IPv6]:port");
            return std::nullopt;
        }
        port_text = text.substr(colon + 1);
    }

    std::uint16_t port = 0;
    if (!parse_port(port_text, port, error)) return std::nullopt;

    if (v6) {
        sockaddr_in6 sa{};
        sa.sin6_family = AF_INET6;
        sa.sin6_port = htons(port);
        if (inet_pton(AF_INET6, host.c_str(), &sa.sin6_addr) != 1) {
            fail(error,
                 "'" + host + "' is not an IPv6 address (zone ids and names are not accepted)");
            return std::nullopt;
        }
        std::memcpy(&result.storage_, &sa, sizeof sa);
        result.size_ = sizeof sa;
    } else {
        sockaddr_in sa{};
        sa.sin_family = AF_INET;
        sa.sin_port = htons(port);
        if (inet_pton(AF_INET, host.c_str(), &sa.sin_addr) != 1) {
            fail(error, "'" + host +
                            "' is not an IPv4 address (host names are not accepted: write "
                            "127.0.0.1, not localhost)");
            return std::nullopt;
        }
        std::memcpy(&result.storage_, &sa, sizeof sa);
        result.size_ = sizeof sa;
    }
    return result;
}

std::optional<SocketAddress> SocketAddress::from_sockaddr(const sockaddr* address, socklen_t len) {
    if (address == nullptr) return std::nullopt;
    SocketAddress result;
    if (address->sa_family == AF_INET && len >= static_cast<socklen_t>(sizeof(sockaddr_in))) {
        result.size_ = sizeof(sockaddr_in);
    } else if (address->sa_family == AF_INET6 &&
               len >= static_cast<socklen_t>(sizeof(sockaddr_in6))) {
        result.size_ = sizeof(sockaddr_in6);
    } else {
        return std::nullopt;
    }
    std::memcpy(&result.storage_, address, result.size_);
    return result;
}

SocketAddress SocketAddress::ipv4(std::uint32_t host_order_address, std::uint16_t port) {
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(port);
    sa.sin_addr.s_addr = htonl(host_order_address);
    SocketAddress result;
    std::memcpy(&result.storage_, &sa, sizeof sa);
    result.size_ = sizeof sa;
    return result;
}

std::uint16_t SocketAddress::port() const {
    if (family() == AF_INET)
        return ntohs(reinterpret_cast<const sockaddr_in*>(&storage_)->sin_port);
    if (family() == AF_INET6) {
        return ntohs(reinterpret_cast<const sockaddr_in6*>(&storage_)->sin6_port);
    }
    return 0;
}

std::string SocketAddress::to_string() const {
    char buffer[INET6_ADDRSTRLEN] = {};
    if (family() == AF_INET) {
        const auto* sa = reinterpret_cast<const sockaddr_in*>(&storage_);
        inet_ntop(AF_INET, &sa->sin_addr, buffer, sizeof buffer);
        return fmt::format("{}:{}", buffer, port());
    }
    if (family() == AF_INET6) {
        const auto* sa = reinterpret_cast<const sockaddr_in6*>(&storage_);
        inet_ntop(AF_INET6, &sa->sin6_addr, buffer, sizeof buffer);
        return fmt::format("[{}]:{}", buffer, port());
    }
    return "(no address)";
}

bool operator==(const SocketAddress& a, const SocketAddress& b) {
    if (a.family() != b.family() || a.size_ != b.size_) return false;
    if (a.family() == AF_INET) {
        const auto* x = reinterpret_cast<const sockaddr_in*>(&a.storage_);
        const auto* y = reinterpret_cast<const sockaddr_in*>(&b.storage_);
        return x->sin_port == y->sin_port && x->sin_addr.s_addr == y->sin_addr.s_addr;
    }
    if (a.family() == AF_INET6) {
        const auto* x = reinterpret_cast<const sockaddr_in6*>(&a.storage_);
        const auto* y = reinterpret_cast<const sockaddr_in6*>(&b.storage_);
        return x->sin6_port == y->sin6_port && x->sin6_scope_id == y->sin6_scope_id &&
               std::memcmp(&x->sin6_addr, &y->sin6_addr, sizeof x->sin6_addr) == 0;
    }
    return true;  // both empty
}

}  // namespace akasa::config
