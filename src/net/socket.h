// Non-blocking TCP socket helpers: address parsing, listening sockets, accepting.
// Errors from the OS are reported as std::system_error at setup time (listen) and as
// return values on the per-connection path (accept).
#pragma once

#include <sys/socket.h>

#include <optional>
#include <string>
#include <string_view>

namespace akasa::net {

// An IPv4 or IPv6 socket address.
struct Endpoint {
    sockaddr_storage storage{};
    socklen_t length = 0;

    // Parses "1.2.3.4:1883" or "[::1]:1883"; nullopt when malformed.
    static std::optional<Endpoint> parse(std::string_view text);
    // "1.2.3.4:1883" / "[::1]:1883".
    std::string to_string() const;
    // The port in host order.
    int port() const;
};

// Creates a non-blocking listening TCP socket bound to `endpoint` (SO_REUSEADDR always,
// SO_REUSEPORT when asked). Throws std::system_error with the address in the message.
int listen_tcp(const Endpoint& endpoint, bool reuse_port, int backlog = 4096);

// The address a socket is bound to (for port 0 listeners).
Endpoint local_endpoint(int fd);

// Sets TCP_NODELAY (MQTT packets are small and latency matters).
void set_nodelay(int fd) noexcept;

}  // namespace akasa::net
