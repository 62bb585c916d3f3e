// Which TCP peers may connect to a listener that reads PROXY headers: the proxies its
// `proxy_allowed_sources` names (docs/configuration.md). A PROXY header is trusted, so anyone
// else who reaches the port could claim any client address; such a connection is closed at
// accept, before a byte of it is read. One filter per listener, shared by the worker threads.
//
//   SourceFilter filter("mqtt", config.listeners.mqtt->proxy_allowed_sources);
//   if (!filter.admits(peer)) { ::close(fd); return; }   // logged (rate-limited)
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "config/ip_network.h"
#include "config/socket_address.h"
#include "net/socket.h"
#include "util/log_rate_limit.h"

namespace akasa::net {

class SourceFilter {
  public:
    // Log lines for refused connections: at most kLogBurst per kLogWindow per listener; a
    // flood of them is counted instead, and the next line says how many were left out.
    static constexpr std::uint32_t kLogBurst = 10;
    static constexpr std::chrono::seconds kLogWindow{10};

    // `listener`: "mqtt", "mqtts", "ws" or "wss"; `allowed` is not empty.
    SourceFilter(std::string_view listener, std::vector<config::IpNetwork> allowed);

    // Whether `peer` is one of the allowed sources. A refused peer is logged with its address
    // and the key (rate-limited; `now` is for tests).
    bool admits(const Endpoint& peer,
                util::LogRateLimit::Clock::time_point now = util::LogRateLimit::Clock::now());

    // The key it enforces: "listeners.mqtt.proxy_allowed_sources".
    const std::string& key() const { return key_; }
    const std::vector<config::IpNetwork>& allowed() const { return allowed_; }

  private:
    std::string listener_;
    std::string key_;
    std::vector<config::IpNetwork> allowed_;
    util::LogRateLimit log_limit_{kLogBurst, kLogWindow};
};

// 127.0.0.0/8, ::1, or IPv4-mapped loopback: only this machine can reach a listener bound there.
bool is_loopback(const config::SocketAddress& address);

}  // namespace akasa::net
