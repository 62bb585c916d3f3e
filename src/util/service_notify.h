// systemd's notify protocol (sd_notify(3)), without libsystemd: one datagram of
// newline-separated VARIABLE=value lines to the unix socket $NOTIFY_SOCKET names (a leading
// '@' is the abstract namespace). Under Type=notify systemd waits for READY=1; with
// WatchdogSec= it sets $WATCHDOG_USEC and kills a service that sends no WATCHDOG=1 within it.
//
//   ServiceNotifier notifier = ServiceNotifier::from_environment();
//   notifier.send("READY=1");                        // no-op when not run by systemd
//   if (auto every = notifier.watchdog_interval()) ...  // send WATCHDOG=1 that often
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace akasa::util {

class ServiceNotifier {
  public:
    // From $NOTIFY_SOCKET, $WATCHDOG_USEC and $WATCHDOG_PID (the watchdog is ours only when
    // that names this process or is unset). Without $NOTIFY_SOCKET every send is a no-op.
    static ServiceNotifier from_environment();
    ServiceNotifier() = default;
    ~ServiceNotifier();
    ServiceNotifier(ServiceNotifier&& other) noexcept;
    ServiceNotifier& operator=(ServiceNotifier&&) = delete;
    ServiceNotifier(const ServiceNotifier&) = delete;

    bool enabled() const { return fd_ >= 0; }
    // Sends `state` (e.g. "READY=1", "STOPPING=1"); false when it could not be sent (the
    // caller logs: a notify failure must not stop the server). Thread-safe.
    bool send(std::string_view state) const;
    // Half of $WATCHDOG_USEC, systemd's advice for how often to ping; nullopt: no watchdog.
    std::optional<std::chrono::microseconds> watchdog_interval() const { return watchdog_; }

    // "RELOADING=1\nMONOTONIC_USEC=..." (the monotonic clock, as Type=notify-reload wants).
    static std::string reloading_state();

  private:
    std::string address_;  // sun_path bytes; abstract: starts with '\0'
    int fd_ = -1;
    std::optional<std::chrono::microseconds> watchdog_;
};

}  // namespace akasa::util
