#include "auth/failed_login_limiter.h"

#include <arpa/inet.h>

#include <array>
#include <cstring>

#include <fmt/format.h>

namespace akasa::auth {
namespace {

constexpr char kIpv4Tag = '4';
constexpr char kIpv6Tag = '6';
constexpr std::size_t kIpv6PrefixBytes = 8;  // a /64

// The host part of `1.2.3.4:5678` or `[v6]:5678`.
std::optional<std::string> host_of(std::string_view peer) {
    if (!peer.empty() && peer.front() == '[') {
        const std::size_t close = peer.find(']');
        if (close == std::string_view::npos) return std::nullopt;
        return std::string(peer.substr(1, close - 1));
    }
    const std::size_t colon = peer.rfind(':');
    if (colon == std::string_view::npos) return std::string(peer);
    return std::string(peer.substr(0, colon));
}

}  // namespace

FailedLoginLimiter::FailedLoginLimiter(Options options) : options_(options) {}

std::optional<std::string> FailedLoginLimiter::key_of(std::string_view peer) {
    const auto host = host_of(peer);
    if (!host) return std::nullopt;
    std::array<unsigned char, 16> bytes{};
    if (::inet_pton(AF_INET, host->c_str(), bytes.data()) == 1) {
        return kIpv4Tag + std::string(reinterpret_cast<const char*>(bytes.data()), 4);
    }
    if (::inet_pton(AF_INET6, host->c_str(), bytes.data()) != 1) return std::nullopt;
    static constexpr unsigned char kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (std::memcmp(bytes.data(), kMapped, sizeof kMapped) == 0) {
        return kIpv4Tag + std::string(reinterpret_cast<const char*>(bytes.data() + 12), 4);
    }
    return kIpv6Tag + std::string(reinterpret_cast<const char*>(bytes.data()), kIpv6PrefixBytes);
}

std::optional<std::string> FailedLoginLimiter::address_of(std::string_view peer) {
    const auto key = key_of(peer);
    if (!key) return std::nullopt;
    char text[INET6_ADDRSTRLEN] = {};
    if (key->front() == kIpv4Tag) {
        ::inet_ntop(AF_INET, key->data() + 1, text, sizeof text);
        return std::string(text);
    }
    std::array<unsigned char, 16> bytes{};
    std::memcpy(bytes.data(), key->data() + 1, kIpv6PrefixBytes);
    ::inet_ntop(AF_INET6, bytes.data(), text, sizeof text);
    return fmt::format("{}/64", text);
}

void FailedLoginLimiter::expire(Entry& entry, Clock::time_point now) const {
    if (entry.blocked_until != Clock::time_point{}) {
        if (now < entry.blocked_until) return;
        entry.blocked_until = {};
        entry.failures = 0;
    }
    if (now - entry.window_start >= options_.window) entry.failures = 0;
}

bool FailedLoginLimiter::blocked(std::string_view peer, Clock::time_point now) {
    const auto key = key_of(peer);
    if (!key) return false;
    std::lock_guard lock(mutex_);
    const auto it = index_.find(*key);
    if (it == index_.end()) return false;
    const Entry& entry = *it->second;
    return entry.blocked_until != Clock::time_point{} && now < entry.blocked_until;
}

bool FailedLoginLimiter::record_failure(std::string_view peer, Clock::time_point now) {
    auto key = key_of(peer);
    if (!key) return false;
    std::lock_guard lock(mutex_);
    auto it = index_.find(*key);
    if (it == index_.end()) {
        if (index_.size() >= options_.max_addresses) {
            index_.erase(order_.back().key);  // the least recently changed address
            order_.pop_back();
        }
        order_.push_front(Entry{*key, now, {}, 0});
        it = index_.emplace(std::move(*key), order_.begin()).first;
    } else {
        order_.splice(order_.begin(), order_, it->second);  // most recently changed first
    }
    Entry& entry = *it->second;
    expire(entry, now);
    if (entry.blocked_until != Clock::time_point{}) return false;  // blocked already
    if (entry.failures == 0) entry.window_start = now;
    ++entry.failures;
    if (entry.failures < options_.max_failures) return false;
    entry.blocked_until = now + options_.block;
    return true;
}

std::size_t FailedLoginLimiter::tracked() const {
    std::lock_guard lock(mutex_);
    return index_.size();
}

}  // namespace akasa::auth
