// PROXY protocol v1: "PROXY TCP4 <src> <dst> <sport> <dport>\r\n" (or TCP6, or UNKNOWN
// followed by anything), at most 107 bytes, fields separated by exactly one space.
#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <cstring>
#include <string_view>
#include <vector>

#include "net/proxy/proxy_header.h"

namespace akasa::net::proxy::detail {

namespace {

constexpr std::string_view kPrefix = "PROXY ";

ProxyParseResult fail(std::string message) {
    ProxyParseResult result;
    result.status = ProxyParseStatus::Error;
    result.error = "PROXY v1: " + std::move(message);
    return result;
}

std::vector<std::string_view> split_on_space(std::string_view line) {
    std::vector<std::string_view> fields;
    std::size_t start = 0;
    while (true) {
        std::size_t space = line.find(' ', start);
        fields.push_back(line.substr(start, space - start));
        if (space == std::string_view::npos) break;
        start = space + 1;
    }
    return fields;
}

// Decimal 0..65535 without sign, leading zeros or other characters.
std::optional<std::uint16_t> parse_port(std::string_view text) {
    if (text.empty() || text.size() > 5) return std::nullopt;
    if (text.size() > 1 && text[0] == '0') return std::nullopt;
    std::uint32_t value = 0;
    for (char c : text) {
        if (c < '0' || c > '9') return std::nullopt;
        value = value * 10 + static_cast<std::uint32_t>(c - '0');
    }
    if (value > 0xffff) return std::nullopt;
    return static_cast<std::uint16_t>(value);
}

std::optional<config::SocketAddress> parse_endpoint(int family, std::string_view ip,
                                                    std::uint16_t port) {
    // inet_pton needs a NUL-terminated string; the longest IPv6 text is 45 characters.
    char text[INET6_ADDRSTRLEN + 1] = {};
    if (ip.empty() || ip.size() > INET6_ADDRSTRLEN) return std::nullopt;
    std::memcpy(text, ip.data(), ip.size());
    if (family == AF_INET) {
        sockaddr_in sa{};
        sa.sin_family = AF_INET;
        sa.sin_port = htons(port);
        if (inet_pton(AF_INET, text, &sa.sin_addr) != 1) return std::nullopt;
        return config::SocketAddress::from_sockaddr(reinterpret_cast<sockaddr*>(&sa), sizeof sa);
    }
    sockaddr_in6 sa{};
    sa.sin6_family = AF_INET6;
    sa.sin6_port = htons(port);
    if (inet_pton(AF_INET6, text, &sa.sin6_addr) != 1) return std::nullopt;
    return config::SocketAddress::from_sockaddr(reinterpret_cast<sockaddr*>(&sa), sizeof sa);
}

}  // namespace

ProxyParseResult parse_v1(std::span<const std::uint8_t> received) {
    std::string_view text(reinterpret_cast<const char*>(received.data()),
                          std::min(received.size(), kMaxV1HeaderSize));
    std::size_t prefix_seen = std::min(text.size(), kPrefix.size());
    if (text.substr(0, prefix_seen) != kPrefix.substr(0, prefix_seen)) {
        return fail("the header does not start with \"PROXY \"");
    }
    std::size_t lf = text.find('\n');
    if (lf == std::string_view::npos) {
        if (text.size() >= kMaxV1HeaderSize) return fail("no CRLF within 107 bytes");
        // Only printable ASCII may come before the CRLF; refuse binary garbage early.
        for (char c : text) {
            if (c != '\r' && (c < 0x20 || c > 0x7e)) return fail("non-printable byte in header");
        }
        // A CR can only be the last byte so far, the one the LF will follow (a CR earlier
        // and a second one at the end must not pass as "waiting for the LF").
        const std::size_t cr = text.find('\r');
        if (cr != std::string_view::npos && cr + 1 != text.size()) {
            return fail("CR not followed by LF");
        }
        ProxyParseResult more;
        return more;
    }
    if (lf == 0 || text[lf - 1] != '\r') return fail("line ends with LF without CR");
    std::string_view line = text.substr(0, lf - 1);
    for (char c : line) {
        if (c < 0x20 || c > 0x7e) return fail("non-printable byte in header");
    }

    std::vector<std::string_view> fields = split_on_space(line.substr(kPrefix.size()));
    ProxyParseResult result;
    result.status = ProxyParseStatus::Complete;
    result.size = lf + 1;
    result.header.version = ProxyVersion::V1;
    result.header.command = ProxyCommand::Proxy;
    if (fields[0] == "UNKNOWN") return result;  // the rest of the line is to be ignored

    int family;
    if (fields[0] == "TCP4") {
        family = AF_INET;
    } else if (fields[0] == "TCP6") {
        family = AF_INET6;
    } else {
        return fail("unknown protocol \"" + std::string(fields[0]) +
                    "\" (expected TCP4, TCP6 or UNKNOWN)");
    }
    if (fields.size() != 5) return fail("expected 4 fields after " + std::string(fields[0]));
    auto source_port = parse_port(fields[3]);
    auto destination_port = parse_port(fields[4]);
    if (!source_port || !destination_port) return fail("invalid port number");
    result.header.source = parse_endpoint(family, fields[1], *source_port);
    result.header.destination = parse_endpoint(family, fields[2], *destination_port);
    if (!result.header.source || !result.header.destination) {
        return fail(std::string("invalid ") + (family == AF_INET ? "IPv4" : "IPv6") + " address");
    }
    return result;
}

}  // namespace akasa::net::proxy::detail
