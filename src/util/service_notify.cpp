#include "util/service_notify.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <utility>

#include <fmt/format.h>

namespace akasa::util {

namespace {

std::optional<unsigned long long> env_number(const char* name) {
    const char* text = std::getenv(name);
    if (!text || !*text) return std::nullopt;
    char* end = nullptr;
    const unsigned long long value = std::strtoull(text, &end, 10);
    if (*end != '\0') return std::nullopt;
    return value;
}

}  // namespace

ServiceNotifier ServiceNotifier::from_environment() {
    ServiceNotifier notifier;
    const char* socket_name = std::getenv("NOTIFY_SOCKET");
    if (!socket_name || (socket_name[0] != '/' && socket_name[0] != '@')) return notifier;
    const std::size_t length = std::strlen(socket_name);
    if (length >= sizeof(sockaddr_un{}.sun_path)) return notifier;
    notifier.address_.assign(socket_name, length);
    if (notifier.address_[0] == '@') notifier.address_[0] = '\0';
    notifier.fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

    const auto usec = env_number("WATCHDOG_USEC");
    const auto pid = env_number("WATCHDOG_PID");
    if (usec && *usec > 0 && (!pid || *pid == static_cast<unsigned long long>(::getpid()))) {
        notifier.watchdog_ = std::chrono::microseconds(*usec / 2);
    }
    return notifier;
}

ServiceNotifier::~ServiceNotifier() {
    if (fd_ >= 0) ::close(fd_);
}

ServiceNotifier::ServiceNotifier(ServiceNotifier&& other) noexcept
    : address_(std::move(other.address_)),
      fd_(std::exchange(other.fd_, -1)),
      watchdog_(other.watchdog_) {}

bool ServiceNotifier::send(std::string_view state) const {
    if (fd_ < 0) return false;
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::memcpy(address.sun_path, address_.data(), address_.size());
    // An abstract name's length is all there is of it: no terminating NUL counts.
    const auto size = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + address_.size() +
                                             (address_[0] == '\0' ? 0 : 1));
    const ssize_t sent = ::sendto(fd_, state.data(), state.size(), MSG_NOSIGNAL,
                                  reinterpret_cast<const sockaddr*>(&address), size);
    return sent == static_cast<ssize_t>(state.size());
}

std::string ServiceNotifier::reloading_state() {
    timespec now{};
    ::clock_gettime(CLOCK_MONOTONIC, &now);
    const unsigned long long usec = static_cast<unsigned long long>(now.tv_sec) * 1000000ULL +
                                    static_cast<unsigned long long>(now.tv_nsec) / 1000ULL;
    return fmt::format("RELOADING=1\nMONOTONIC_USEC={}", usec);
}

}  // namespace akasa::util
