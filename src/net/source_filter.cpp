#include "net/source_filter.h"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace akasa::net {

SourceFilter::SourceFilter(std::string_view listener, std::vector<config::IpNetwork> allowed)
    : listener_(listener),
      key_("listeners." + listener_ + ".proxy_allowed_sources"),
      allowed_(std::move(allowed)) {}

bool SourceFilter::admits(const Endpoint& peer, util::LogRateLimit::Clock::time_point now) {
    const auto* address = reinterpret_cast<const sockaddr*>(&peer.storage);
    if (std::any_of(allowed_.begin(), allowed_.end(),
                    [address](const config::IpNetwork& n) { return n.contains(address); })) {
        return true;
    }
    if (const auto permit = log_limit_.next(now); permit.log) {
        spdlog::warn(
            "refusing connection from {} on listener {}: not in {} (only the proxies may "
            "connect to a PROXY listener){}",
            peer.to_string(), listener_, key_, util::suppressed_note(permit.suppressed));
    }
    return false;
}

bool is_loopback(const config::SocketAddress& address) {
    static const config::IpNetwork kV4 = *config::IpNetwork::parse("127.0.0.0/8");
    static const config::IpNetwork kV6 = *config::IpNetwork::parse("::1");
    return kV4.contains(address.sockaddr_ptr()) || kV6.contains(address.sockaddr_ptr());
}

}  // namespace akasa::net
