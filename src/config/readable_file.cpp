#include "config/readable_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "config/config_loader.h"

namespace akasa::config::detail {
namespace {

// Closes the descriptor on every path out of a function.
class FileDescriptor {
  public:
    explicit FileDescriptor(int fd) : fd_(fd) {}
    ~FileDescriptor() {
        if (fd_ >= 0) ::close(fd_);
    }
    FileDescriptor(const FileDescriptor&) = delete;
    FileDescriptor& operator=(const FileDescriptor&) = delete;
    int get() const { return fd_; }

  private:
    int fd_;
};

// Opens `path` as a regular file for reading; on failure returns -1 and sets `reason`.
// O_NONBLOCK so that a FIFO named by mistake is refused instead of blocking the open.
int open_regular_file(const std::string& path, std::string& reason) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        reason = std::strerror(errno);
        return -1;
    }
    struct stat info {};
    if (::fstat(fd, &info) != 0) {
        reason = std::strerror(errno);
        ::close(fd);
        return -1;
    }
    if (!S_ISREG(info.st_mode)) {
        reason = S_ISDIR(info.st_mode) ? "it is a directory" : "it is not a regular file";
        ::close(fd);
        return -1;
    }
    return fd;
}

}  // namespace

std::optional<std::string> unreadable_file_reason(const std::string& path) {
    std::string reason;
    FileDescriptor fd(open_regular_file(path, reason));
    if (fd.get() < 0) return fmt::format("cannot read \"{}\": {}", path, reason);
    return std::nullopt;
}

std::string read_config_file(const std::string& path) {
    auto fail = [&](const std::string& reason) {
        throw ConfigError(fmt::format("cannot read config file \"{}\": {}", path, reason), "",
                          std::nullopt);
    };
    std::string reason;
    FileDescriptor fd(open_regular_file(path, reason));
    if (fd.get() < 0) fail(reason);
    std::string text;
    char buffer[16384];
    for (;;) {
        ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) fail(std::strerror(errno));
        if (n == 0) break;
        text.append(buffer, static_cast<std::size_t>(n));
    }
    return text;
}

}  // namespace akasa::config::detail
