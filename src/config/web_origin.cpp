#include "config/web_origin.h"

#include <algorithm>
#include <charconv>

namespace akasa::config {
namespace {

constexpr std::string_view kShape = "an origin is scheme://host[:port], like https://example.com";

std::optional<std::string> fail(std::string* error, std::string message) {
    if (error) *error = std::move(message);
    return std::nullopt;
}

bool is_alpha(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_digit(char c) {
    return c >= '0' && c <= '9';
}
char lower(char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c | 0x20) : c;
}

// RFC 3986 scheme: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ).
bool is_scheme(std::string_view s) {
    if (s.empty() || !is_alpha(s.front())) return false;
    return std::all_of(s.begin(), s.end(), [](char c) {
        return is_alpha(c) || is_digit(c) || c == '+' || c == '-' || c == '.';
    });
}

// A host name or IPv4 address as browsers serialize it (IDNs in punycode): letters, digits,
// '-', '.', '_'; or an IPv6 literal in brackets.
bool is_host(std::string_view s) {
    if (s.empty()) return false;
    if (s.front() == '[') {
        if (s.size() < 3 || s.back() != ']') return false;
        return std::all_of(s.begin() + 1, s.end() - 1, [](char c) {
            return is_digit(c) || (lower(c) >= 'a' && lower(c) <= 'f') || c == ':' || c == '.';
        });
    }
    return std::all_of(s.begin(), s.end(), [](char c) {
        return is_alpha(c) || is_digit(c) || c == '-' || c == '.' || c == '_';
    });
}

}  // namespace

std::optional<std::string> normalize_origin(std::string_view text, std::string* error) {
    if (text == "null") {
        return fail(error,
                    "\"null\" is the origin of sandboxed frames and file: pages of any site, so "
                    "allowing it would allow them all");
    }
    const auto separator = text.find("://");
    if (separator == std::string_view::npos) {
        return fail(error, "no \"://\" after the scheme; " + std::string(kShape));
    }
    const std::string_view scheme = text.substr(0, separator);
    std::string_view authority = text.substr(separator + 3);
    if (!is_scheme(scheme)) {
        return fail(error,
                    "the scheme is not letters, digits, '+', '-', '.' starting with a "
                    "letter; " +
                        std::string(kShape));
    }
    if (authority.find_first_of("/?#") != std::string_view::npos) {
        return fail(error, "it has a path, query or trailing slash; " + std::string(kShape));
    }
    if (authority.find('@') != std::string_view::npos) {
        return fail(error, "it has a user name; " + std::string(kShape));
    }
    // The port follows the last ':' outside an IPv6 literal's brackets.
    std::string_view host = authority;
    std::string_view port;
    const auto bracket = authority.rfind(']');
    const auto colon = authority.rfind(':');
    if (colon != std::string_view::npos && (bracket == std::string_view::npos || colon > bracket)) {
        host = authority.substr(0, colon);
        port = authority.substr(colon + 1);
    }
    if (!is_host(host)) {
        return fail(error,
                    "the host is missing or not a name, an IPv4 address or an [IPv6] "
                    "address; " +
                        std::string(kShape));
    }
    std::string result;
    result.reserve(text.size());
    for (char c : scheme)
        result += lower(c);
    result += "://";
    for (char c : host)
        result += lower(c);
    if (colon != std::string_view::npos && host.size() != authority.size()) {
        unsigned value = 0;
        auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
        if (port.empty() || ec != std::errc() || end != port.data() + port.size() || value == 0 ||
            value > 65535) {
            return fail(error, "the port is not a number from 1 to 65535; " + std::string(kShape));
        }
        const std::string_view s = std::string_view(result).substr(0, scheme.size());
        const bool default_port = (value == 80 && (s == "http" || s == "ws")) ||
                                  (value == 443 && (s == "https" || s == "wss"));
        if (!default_port) result += ":" + std::to_string(value);
    }
    return result;
}

}  // namespace akasa::config
