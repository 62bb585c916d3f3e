#include "net/socket.h"

#include "net/port_owner.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <system_error>

#include <fmt/format.h>

namespace akasa::net {

std::optional<Endpoint> Endpoint::parse(std::string_view text) {
    std::string_view host;
    std::string_view port_text;
    if (!text.empty() && text.front() == '[') {
        auto close = text.find(']');
        if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':')
            return std::nullopt;
        host = text.substr(1, close - 1);
        port_text = text.substr(close + 2);
    } else {
        auto colon = text.rfind(':');
        if (colon == std::string_view::npos) return std::nullopt;
        host = text.substr(0, colon);
        port_text = text.substr(colon + 1);
    }
    unsigned port = 0;
    auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc{} || end != port_text.data() + port_text.size() || port > 65535)
        return std::nullopt;

    Endpoint result;
    std::string host_z(host);
    auto* v4 = reinterpret_cast<sockaddr_in*>(&result.storage);
    auto* v6 = reinterpret_cast<sockaddr_in6*>(&result.storage);
    if (::inet_pton(AF_INET, host_z.c_str(), &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons(static_cast<std::uint16_t>(port));
        result.length = sizeof(sockaddr_in);
        return result;
    }
    if (::inet_pton(AF_INET6, host_z.c_str(), &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons(static_cast<std::uint16_t>(port));
        result.length = sizeof(sockaddr_in6);
        return result;
    }
    return std::nullopt;
}

std::string Endpoint::to_string() const {
    char buf[INET6_ADDRSTRLEN] = {};
    if (storage.ss_family == AF_INET) {
        auto* v4 = reinterpret_cast<const sockaddr_in*>(&storage);
        ::inet_ntop(AF_INET, &v4->sin_addr, buf, sizeof buf);
        return fmt::format("{}:{}", buf, ntohs(v4->sin_port));
    }
    if (storage.ss_family == AF_INET6) {
        auto* v6 = reinterpret_cast<const sockaddr_in6*>(&storage);
        ::inet_ntop(AF_INET6, &v6->sin6_addr, buf, sizeof buf);
        return fmt::format("[{}]:{}", buf, ntohs(v6->sin6_port));
    }
    return "unknown";
}

int Endpoint::port() const {
    if (storage.ss_family == AF_INET)
        return ntohs(reinterpret_cast<const sockaddr_in*>(&storage)->sin_port);
    if (storage.ss_family == AF_INET6)
        return ntohs(reinterpret_cast<const sockaddr_in6*>(&storage)->sin6_port);
    return 0;
}

int listen_tcp(const Endpoint& endpoint, bool reuse_port, int backlog) {
    auto fail = [&](int fd, const char* what) {
        int saved = errno;
        if (fd >= 0) ::close(fd);
        // "Address already in use" alone sends the user hunting: name who holds the port.
        const std::string owner = saved == EADDRINUSE ? describe_port_owner(endpoint.port()) : "";
        throw std::system_error(saved, std::generic_category(),
                                fmt::format("{} {}{}", what, endpoint.to_string(), owner));
    };
    int fd = ::socket(endpoint.storage.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) fail(fd, "socket");
    int one = 1;
    if (::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0) fail(fd, "SO_REUSEADDR");
    if (reuse_port && ::setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0)
        fail(fd, "SO_REUSEPORT");
    if (::bind(fd, reinterpret_cast<const sockaddr*>(&endpoint.storage), endpoint.length) != 0)
        fail(fd, "cannot bind");
    if (::listen(fd, backlog) != 0) fail(fd, "cannot listen on");
    return fd;
}

Endpoint local_endpoint(int fd) {
    Endpoint e;
    e.length = sizeof e.storage;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&e.storage), &e.length) != 0) e.length = 0;
    return e;
}

void set_nodelay(int fd) noexcept {
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

}  // namespace akasa::net
