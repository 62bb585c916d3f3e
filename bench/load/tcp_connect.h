// Non-blocking TCP client sockets. Connections to a loopback broker are spread over
// several source addresses (127.0.0.1, .2, ...): each source address has its own ephemeral
// port range, so 10,000s of connections and their TIME_WAIT leftovers across runs do not
// run out of ports.
#pragma once

#include <netinet/in.h>

#include <cstdint>
#include <string>

namespace akasa::bench {

struct BrokerAddress {
    sockaddr_in address{};
    bool loopback = false;
};

// Resolves an IPv4 host name or address; throws std::runtime_error with a clear message.
BrokerAddress resolve_broker(const std::string& host, std::uint16_t port);

// Starts a non-blocking connect with TCP_NODELAY set. `source_index` picks the source
// address 127.0.0.(1 + source_index % source_ips) when the broker is on loopback and
// source_ips > 1. Returns the fd, or -1 with errno set.
int start_connect(const BrokerAddress& broker, int source_ips, std::uint32_t source_index);

// The result of a finished non-blocking connect: 0 or an errno value.
int connect_error(int fd);

}  // namespace akasa::bench
