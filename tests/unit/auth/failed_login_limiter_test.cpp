// The failed-login limiter's contract (src/auth/failed_login_limiter.h), on a clock the test
// moves by hand.
#include "auth/failed_login_limiter.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace akasa::auth {
namespace {

using std::chrono::seconds;
using Clock = FailedLoginLimiter::Clock;

FailedLoginLimiter limiter(std::uint32_t max_failures = 3, std::size_t max_addresses = 100) {
    return FailedLoginLimiter({.max_failures = max_failures,
                               .window = seconds(60),
                               .block = seconds(300),
                               .max_addresses = max_addresses});
}

const Clock::time_point t0 = Clock::time_point() + seconds(1000);

TEST(FailedLoginLimiter, BlocksAfterMaxFailuresWithinTheWindowOncePerBlock) {
    auto l = limiter();
    EXPECT_FALSE(l.blocked("10.0.0.1:5000", t0));
    EXPECT_FALSE(l.record_failure("10.0.0.1:5000", t0));
    EXPECT_FALSE(l.record_failure("10.0.0.1:5001", t0 + seconds(1)));  // the port is ignored
    EXPECT_FALSE(l.blocked("10.0.0.1:5002", t0 + seconds(2)));
    EXPECT_TRUE(l.record_failure("10.0.0.1:5003", t0 + seconds(2)));  // starts the block
    EXPECT_TRUE(l.blocked("10.0.0.1:6000", t0 + seconds(3)));
    EXPECT_FALSE(l.blocked("10.0.0.2:5000", t0 + seconds(3))) << "other addresses are not";
    // More failures during the block are not reported again and do not extend it.
    EXPECT_FALSE(l.record_failure("10.0.0.1:5004", t0 + seconds(200)));
    EXPECT_TRUE(l.blocked("10.0.0.1:1", t0 + seconds(301)));
    EXPECT_FALSE(l.blocked("10.0.0.1:1", t0 + seconds(302)));
    // After the block, counting starts over.
    EXPECT_FALSE(l.record_failure("10.0.0.1:1", t0 + seconds(303)));
    EXPECT_FALSE(l.blocked("10.0.0.1:1", t0 + seconds(303)));
}

TEST(FailedLoginLimiter, FailuresOutsideTheWindowDoNotAddUp) {
    auto l = limiter();
    EXPECT_FALSE(l.record_failure("10.0.0.1:1", t0));
    EXPECT_FALSE(l.record_failure("10.0.0.1:1", t0 + seconds(59)));
    // The window that opened at t0 is over: this failure opens a new one.
    EXPECT_FALSE(l.record_failure("10.0.0.1:1", t0 + seconds(60)));
    EXPECT_FALSE(l.record_failure("10.0.0.1:1", t0 + seconds(61)));
    EXPECT_FALSE(l.blocked("10.0.0.1:1", t0 + seconds(61)));
    EXPECT_TRUE(l.record_failure("10.0.0.1:1", t0 + seconds(62)));
}

TEST(FailedLoginLimiter, Ipv6CountsPerSlash64AndMappedIpv4AsIpv4) {
    auto l = limiter(2);
    EXPECT_FALSE(l.record_failure("[2001:db8:1:2::1]:1", t0));
    EXPECT_TRUE(l.record_failure("[2001:db8:1:2:ffff::9]:2", t0));  // same /64
    EXPECT_TRUE(l.blocked("[2001:db8:1:2:abcd::1]:3", t0));
    EXPECT_FALSE(l.blocked("[2001:db8:1:3::1]:3", t0));  // next /64
    EXPECT_FALSE(l.record_failure("[::ffff:192.0.2.7]:1", t0));
    EXPECT_TRUE(l.record_failure("192.0.2.7:2", t0));
    EXPECT_TRUE(l.blocked("[::ffff:192.0.2.7]:9", t0));
    EXPECT_EQ(FailedLoginLimiter::address_of("[2001:db8:1:2::1]:1"), "2001:db8:1:2::/64");
    EXPECT_EQ(FailedLoginLimiter::address_of("[::ffff:192.0.2.7]:1"), "192.0.2.7");
    EXPECT_EQ(FailedLoginLimiter::address_of("127.0.0.2:1883"), "127.0.0.2");
}

TEST(FailedLoginLimiter, WhatIsNotAnAddressIsNeitherCountedNorBlocked) {
    auto l = limiter(1);
    for (const char* peer : {"unknown", "", "[::1", "host.example:1883", "1.2.3:4"}) {
        EXPECT_FALSE(l.record_failure(peer, t0)) << peer;
        EXPECT_FALSE(l.blocked(peer, t0)) << peer;
        EXPECT_EQ(FailedLoginLimiter::address_of(peer), std::nullopt) << peer;
    }
    EXPECT_EQ(l.tracked(), 0u);
}

// An attacker with many addresses cannot grow the table: the least recently changed
// address is forgotten.
TEST(FailedLoginLimiter, TheTableIsBoundedAndForgetsTheOldestFirst) {
    auto l = limiter(2, 3);
    EXPECT_FALSE(l.record_failure("10.0.0.1:1", t0));
    EXPECT_TRUE(l.record_failure("10.0.0.1:1", t0));  // blocked
    for (int i = 2; i <= 3; ++i)
        l.record_failure("10.0.0." + std::to_string(i) + ":1", t0 + seconds(1));
    EXPECT_EQ(l.tracked(), 3u);
    EXPECT_TRUE(l.blocked("10.0.0.1:1", t0 + seconds(1)));
    l.record_failure("10.0.0.2:1", t0 + seconds(2));  // 10.0.0.2 is now the most recent
    for (int i = 4; i <= 1000; ++i)
        l.record_failure("10.1." + std::to_string(i / 256) + "." + std::to_string(i % 256) + ":1",
                         t0 + seconds(3));
    EXPECT_EQ(l.tracked(), 3u);
    EXPECT_FALSE(l.blocked("10.0.0.1:1", t0 + seconds(3))) << "forgotten, with its block";
}

TEST(FailedLoginLimiter, SharedBetweenThreads) {
    auto l = limiter(1000000, 100000);
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&l, t] {
            for (int i = 0; i < 2000; ++i) {
                l.record_failure("10.0." + std::to_string(t) + "." + std::to_string(i % 200) + ":1",
                                 t0);
                (void)l.blocked("10.0.0.1:1", t0);
            }
        });
    }
    for (auto& thread : threads)
        thread.join();
    EXPECT_EQ(l.tracked(), 800u);
}

}  // namespace
}  // namespace akasa::auth
