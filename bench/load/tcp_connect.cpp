#include "tcp_connect.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>

namespace akasa::bench {

BrokerAddress resolve_broker(const std::string& host, std::uint16_t port) {
    addrinfo hints{};
    hints.ai_family = AF_INET;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    const int rc = getaddrinfo(host.c_str(), nullptr, &hints, &found);
    if (rc != 0 || found == nullptr) {
        throw std::runtime_error("cannot resolve broker host '" + host +
                                 "' to an IPv4 address: " + gai_strerror(rc));
    }
    BrokerAddress broker;
    broker.address = *reinterpret_cast<sockaddr_in*>(found->ai_addr);
    broker.address.sin_port = htons(port);
    freeaddrinfo(found);
    broker.loopback = (ntohl(broker.address.sin_addr.s_addr) >> 24) == 127;
    return broker;
}

int start_connect(const BrokerAddress& broker, int source_ips, std::uint32_t source_index) {
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    const int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (broker.loopback && source_ips > 1) {
        // Let connect() pick the port for the full 4-tuple instead of bind() reserving one.
        setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
        sockaddr_in source{};
        source.sin_family = AF_INET;
        source.sin_addr.s_addr =
            htonl((127u << 24) | (1 + source_index % static_cast<std::uint32_t>(source_ips)));
        if (bind(fd, reinterpret_cast<sockaddr*>(&source), sizeof source) != 0) {
            const int saved = errno;
            close(fd);
            errno = saved;
            return -1;
        }
    }
    if (connect(fd, reinterpret_cast<const sockaddr*>(&broker.address), sizeof broker.address) !=
            0 &&
        errno != EINPROGRESS) {
        const int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    return fd;
}

int connect_error(int fd) {
    int error = 0;
    socklen_t length = sizeof error;
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) != 0) return errno;
    return error;
}

}  // namespace akasa::bench
