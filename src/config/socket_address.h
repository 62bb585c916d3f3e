// An IP socket address (IPv4 or IPv6 plus port) in the form the socket API takes, parsed from
// the config's `IPv4:port` / `[IPv6]:port` notation. Hostnames are not accepted: a listener
// binds to an address, and resolving names at start-up would make the bound address depend on
// DNS and /etc/hosts.
//
//   std::string why;
//   auto addr = SocketAddress::parse("[::1]:1883", &why);
//   if (!addr) fail(why);
//   ::bind(fd, addr->sockaddr_ptr(), addr->size());
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace akasa::config {

class SocketAddress {
  public:
    // An empty address (family AF_UNSPEC, size 0); only useful as a placeholder.
    SocketAddress() = default;

    // Parses `a.b.c.d:port` or `[v6]:port` with port 0..65535 (0: the OS picks a free port). On
    // failure returns nullopt and, when `error` is not null, stores a sentence saying what is
    // wrong.
    static std::optional<SocketAddress> parse(std::string_view text, std::string* error = nullptr);

    // Copies an AF_INET or AF_INET6 address returned by accept()/getsockname(); other
    // families or a `len` too short for the family give nullopt.
    static std::optional<SocketAddress> from_sockaddr(const sockaddr* address, socklen_t len);

    static SocketAddress ipv4(std::uint32_t host_order_address, std::uint16_t port);

    int family() const { return storage_.ss_family; }
    std::uint16_t port() const;
    const sockaddr* sockaddr_ptr() const { return reinterpret_cast<const sockaddr*>(&storage_); }
    socklen_t size() const { return size_; }

    // `1.2.3.4:1883` or `[::1]:1883`: the notation parse() accepts.
    std::string to_string() const;

    friend bool operator==(const SocketAddress& a, const SocketAddress& b);

  private:
    sockaddr_storage storage_{};
    socklen_t size_ = 0;
};

}  // namespace akasa::config
