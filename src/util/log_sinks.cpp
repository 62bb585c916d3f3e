#include "util/log_sinks.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <system_error>

#include <fmt/format.h>

namespace akasa::util {

namespace {

int open_for_append(const std::string& path) {
    return ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
}

// RFC 5424 severities, as syslog(3) numbers them.
int syslog_severity(spdlog::level::level_enum level) {
    switch (level) {
        case spdlog::level::trace:
        case spdlog::level::debug:
            return 7;
        case spdlog::level::info:
            return 6;
        case spdlog::level::warn:
            return 4;
        case spdlog::level::err:
            return 3;
        default:
            return 2;
    }
}

constexpr int kFacilityDaemon = 3;

}  // namespace

ReopenableFileSink::ReopenableFileSink(std::string path) : path_(std::move(path)) {
    fd_ = ::open(path_.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
    if (fd_ < 0 && errno == ENOENT) {
        fd_ = ::open(path_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        created_ = fd_ >= 0;
        if (fd_ < 0 && errno == EEXIST) fd_ = open_for_append(path_);  // created meanwhile
    }
    if (fd_ < 0) throw std::system_error(errno, std::generic_category(), "cannot open " + path_);
}

void ReopenableFileSink::remove_if_unused() {
    std::lock_guard lock(mutex_);
    struct stat st {};
    if (!created_ || ::fstat(fd_, &st) != 0 || st.st_size != 0) return;
    ::unlink(path_.c_str());
    created_ = false;
}

ReopenableFileSink::~ReopenableFileSink() {
    if (fd_ >= 0) ::close(fd_);
}

std::optional<std::string> ReopenableFileSink::reopen() {
    std::lock_guard lock(mutex_);
    const int next = open_for_append(path_);
    if (next < 0) return fmt::format("cannot open {}: {}", path_, std::strerror(errno));
    ::close(fd_);
    fd_ = next;
    return std::nullopt;
}

void ReopenableFileSink::sink_it_(const spdlog::details::log_msg& msg) {
    spdlog::memory_buf_t line;
    formatter_->format(msg, line);
    // One write per line, O_APPEND: lines from several threads never interleave, and each
    // is in the file (for `tail -f`, and after a crash) once logged, as on stderr.
    const char* data = line.data();
    std::size_t left = line.size();
    while (left > 0) {
        const ssize_t written = ::write(fd_, data, left);
        if (written < 0 && errno == EINTR) continue;
        if (written <= 0) return;  // disk full, I/O error: nowhere to report it
        data += written;
        left -= static_cast<std::size_t>(written);
    }
}

SyslogSink::SyslogSink(std::string socket_path) : socket_path_(std::move(socket_path)) {
    // A mistyped path would lose every line without a word: it must be a socket at start.
    struct stat info {};
    if (::stat(socket_path_.c_str(), &info) != 0) {
        throw std::system_error(errno, std::generic_category(), socket_path_);
    }
    if (!S_ISSOCK(info.st_mode)) {
        throw std::system_error(ENOTSOCK, std::generic_category(), socket_path_);
    }
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) throw std::system_error(errno, std::generic_category(), "syslog socket");
}

SyslogSink::~SyslogSink() {
    if (fd_ >= 0) ::close(fd_);
}

void SyslogSink::sink_it_(const spdlog::details::log_msg& msg) {
    spdlog::memory_buf_t body;
    formatter_->format(msg, body);
    std::size_t size = body.size();
    while (size > 0 && body.data()[size - 1] == '\n')
        --size;  // one line per datagram

    const std::time_t seconds = spdlog::log_clock::to_time_t(msg.time);
    std::tm local{};
    ::localtime_r(&seconds, &local);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%b %e %H:%M:%S", &local);
    std::string datagram = fmt::format(
        "<{}>{} akasa[{}]: ", kFacilityDaemon * 8 + syslog_severity(msg.level), stamp, ::getpid());
    datagram.append(body.data(), size);

    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::memcpy(address.sun_path, socket_path_.data(),
                std::min(socket_path_.size(), sizeof address.sun_path - 1));
    // MSG_DONTWAIT: a full daemon queue loses this line instead of stalling a worker.
    (void)::sendto(fd_, datagram.data(), datagram.size(), MSG_DONTWAIT | MSG_NOSIGNAL,
                   reinterpret_cast<const sockaddr*>(&address), sizeof address);
}

}  // namespace akasa::util
