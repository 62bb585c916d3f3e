// Where log lines go besides stderr: a file that can be reopened (logrotate renames it, then
// SIGHUP makes the server write to a new file at the same path) and a syslog socket.
//
//   auto file = std::make_shared<ReopenableFileSink>("/var/log/akasa.log");  // throws
//   ...on SIGHUP: file->reopen();        // nullopt, or why the old file is kept
//   auto sys = std::make_shared<SyslogSink>("/dev/log");
#pragma once

#include <spdlog/sinks/base_sink.h>

#include <mutex>
#include <optional>
#include <string>

namespace akasa::util {

// Appends formatted lines to `path` (created 0600: `akasa start` sets umask 0077), each with one
// write().
class ReopenableFileSink final : public spdlog::sinks::base_sink<std::mutex> {
  public:
    // Throws std::system_error naming the path when it cannot be opened for appending.
    explicit ReopenableFileSink(std::string path);
    ~ReopenableFileSink() override;

    // Opens the path again and switches to it; on failure the current file stays and the
    // error is returned ("cannot open /var/log/akasa.log: Permission denied").
    std::optional<std::string> reopen();
    const std::string& path() const { return path_; }
    // The file is not going to be used after all (a refused reload named it): removed when
    // this sink created it and nothing was written to it.
    void remove_if_unused();

  protected:
    void sink_it_(const spdlog::details::log_msg& msg) override;
    void flush_() override {}

  private:
    std::string path_;
    int fd_ = -1;
    bool created_ = false;  // the constructor created the file
};

// Sends each line as one datagram to a local syslog daemon's unix socket (/dev/log), in the
// format glibc's syslog(3) uses: `<PRI>Mmm dd hh:mm:ss akasa[PID]: message`, facility daemon.
// A daemon that is down or restarting loses the lines meanwhile (the server never blocks on
// it); the socket is addressed per line, so a restarted daemon gets the next one.
class SyslogSink final : public spdlog::sinks::base_sink<std::mutex> {
  public:
    // Throws std::system_error naming the path when it is not a socket (checked once: a
    // daemon restarting later only loses the lines meanwhile).
    explicit SyslogSink(std::string socket_path);
    ~SyslogSink() override;

  protected:
    void sink_it_(const spdlog::details::log_msg& msg) override;
    void flush_() override {}

  private:
    std::string socket_path_;
    int fd_ = -1;
};

}  // namespace akasa::util
