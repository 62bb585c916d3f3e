// Failed logins per client address: after `max_failures` failed logins from one address
// within `window`, that address is blocked for `block`, and the server refuses its CONNECTs
// without looking at their credentials (no hashing: a guessing client costs a table
// lookup). Shared by every worker thread.
//
//   FailedLoginLimiter limiter({.max_failures = 10, .window = 60s, .block = 300s,
//                               .max_addresses = 65536});
//   if (limiter.blocked(peer, now)) refuse(ConnectionRateExceeded);
//   ...
//   if (limiter.record_failure(peer, now)) log("blocked");   // once per block
//
// Contract:
// - `peer` is a connection's client address as the server logs it, `1.2.3.4:5678` or
//   `[2001:db8::1]:5678` (behind a PROXY-protocol listener, the address the header carries).
//   The port is ignored. An IPv6 address counts with its whole /64 (a host is commonly
//   given a /64 and picks addresses in it freely; counted per address it would get 2^64
//   times the tries), an IPv4-mapped IPv6 address as the IPv4 address. A string that is not
//   an IP address is neither counted nor blocked.
// - Windows are fixed: the first failure of an address opens one, and failures counted in
//   it expire together when it closes. The failure that reaches `max_failures` starts the
//   block; failures during a block neither extend nor restart it. A successful login changes
//   nothing (an attacker with one valid account cannot wipe its failures with it).
// - Bounded memory: at most `max_addresses` addresses are tracked (about 150 bytes each).
//   When the table is full, the address whose entry changed least recently is forgotten
//   (its count and block with it): forgetting a blocked address early takes `max_addresses`
//   other addresses failing after its block began.
// - Thread-safe: one mutex around a hash lookup, taken only on CONNECT and failed logins.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace akasa::auth {

class FailedLoginLimiter {
  public:
    using Clock = std::chrono::steady_clock;

    struct Options {
        std::uint32_t max_failures = 10;  // >= 1
        std::chrono::seconds window{60};
        std::chrono::seconds block{300};
        std::size_t max_addresses = 65536;  // >= 1
    };

    explicit FailedLoginLimiter(Options options);

    const Options& options() const { return options_; }

    // True while `peer`'s address is blocked.
    bool blocked(std::string_view peer, Clock::time_point now);

    // Counts a failed login from `peer`; true when this failure starts a block (once per
    // block: the caller logs it then).
    bool record_failure(std::string_view peer, Clock::time_point now);

    // What the limiter counts `peer` as, for log lines: `1.2.3.4`, `2001:db8::/64`; nullopt
    // when `peer` is not an IP address.
    static std::optional<std::string> address_of(std::string_view peer);

    // Addresses tracked now (for tests and metrics).
    std::size_t tracked() const;

  private:
    struct Entry {
        std::string key;
        Clock::time_point window_start;
        Clock::time_point blocked_until{};  // {}: not blocked
        std::uint32_t failures = 0;
    };
    using Order = std::list<Entry>;  // most recently changed first

    // The address bytes `peer` is counted by (4 for IPv4, 8 for an IPv6 /64, a family tag
    // first); nullopt when it is not an IP address.
    static std::optional<std::string> key_of(std::string_view peer);
    // Ends a block or a window that is over.
    void expire(Entry& entry, Clock::time_point now) const;

    const Options options_;
    mutable std::mutex mutex_;
    Order order_;                                             // guarded by mutex_
    std::unordered_map<std::string, Order::iterator> index_;  // guarded by mutex_
};

}  // namespace akasa::auth
