#include "server_process.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <stdexcept>

namespace akasa::testing {

std::uint16_t free_port() {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    ::close(fd);
    return ntohs(addr.sin_port);
}

ServerProcess::ServerProcess() {
    char pattern[] = "/tmp/akasa-it-XXXXXX";
    if (!::mkdtemp(pattern)) throw std::runtime_error("mkdtemp failed");
    dir_ = pattern;
}

ServerProcess::~ServerProcess() {
    if (pid_ > 0) {
        ::kill(pid_, SIGKILL);
        int status;
        ::waitpid(pid_, &status, 0);
        pid_ = -1;
    }
    if (reader_.joinable()) reader_.join();
    std::string cmd = "rm -rf '" + dir_ + "'";
    [[maybe_unused]] int rc = std::system(cmd.c_str());
}

void ServerProcess::add_user(const std::string& username, const std::string& password) {
    users_.emplace_back(username, password);
}

void ServerProcess::start() {
    port_ = free_port();
    const std::string config_path = dir_ + "/akasa.yaml";
    const std::string password_path = dir_ + "/passwords";
    bool first = true;
    for (const auto& [user, password] : users_) {
        std::string cmd = "printf '%s\\n%s\\n' '" + password + "' '" + password + "' | " +
                          AKASA_BINARY + " insert-password --path '" + password_path +
                          "' --username '" + user + "' --hash-algorithm sha256" +
                          (first ? " --create" : "") + " >/dev/null 2>&1";
        if (std::system(cmd.c_str()) != 0) throw std::runtime_error("insert-password failed");
        first = false;
    }
    {
        std::ofstream out(config_path);
        out << "listeners:\n  mqtt:\n    addr: 127.0.0.1:" << port_
            << "\n    reuse_port: " << (reuse_port_ ? "true" : "false") << "\n  http: null\n";
        if (users_.empty()) {
            out << "auth:\n  enable: false\n";
        } else {
            out << "auth:\n  enable: true\n  password_file: " << password_path << "\n";
        }
        out << "worker_threads: " << worker_threads_ << "\n" << extra_config_;
    }
    int pipe_fds[2];
    if (::pipe(pipe_fds) != 0) throw std::runtime_error("pipe failed");
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
        // If the test process dies (crash, timeout), the server goes with it.
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        ::dup2(pipe_fds[1], STDERR_FILENO);
        ::dup2(pipe_fds[1], STDOUT_FILENO);
        ::close(pipe_fds[0]);
        ::close(pipe_fds[1]);
        ::execl(AKASA_BINARY, AKASA_BINARY, "start", "--config", config_path.c_str(),
                static_cast<char*>(nullptr));
        ::_exit(127);
    }
    ::close(pipe_fds[1]);
    reader_ = std::thread([this, fd = pipe_fds[0]] { reader_loop(fd); });
    if (!wait_for_log("started", std::chrono::seconds(20))) {
        throw std::runtime_error("server did not start; log:\n" + log());
    }
}

void ServerProcess::reader_loop(int fd) {
    char buf[4096];
    for (;;) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n <= 0) break;
        std::lock_guard lock(mutex_);
        log_.append(buf, static_cast<std::size_t>(n));
        changed_.notify_all();
    }
    ::close(fd);
    std::lock_guard lock(mutex_);
    log_ += "\n<server output closed>\n";
    changed_.notify_all();
}

bool ServerProcess::wait_for_log(const std::string& text, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] { return log_.find(text) != std::string::npos; });
}

std::string ServerProcess::log() const {
    std::lock_guard lock(mutex_);
    return log_;
}

int ServerProcess::stop() {
    if (pid_ <= 0) return -1;
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    if (reader_.joinable()) reader_.join();
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return -1;
}

}  // namespace akasa::testing
