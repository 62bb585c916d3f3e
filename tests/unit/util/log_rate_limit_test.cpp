// A flood of one kind of log line is bounded (util/log_rate_limit.h). Time is passed in, so
// the tests do not depend on the machine's speed.
#include "util/log_rate_limit.h"

#include <gtest/gtest.h>

namespace akasa::util {
namespace {

using std::chrono::seconds;
using Clock = LogRateLimit::Clock;

TEST(LogRateLimit, LetsTheBurstThroughThenCounts) {
    LogRateLimit limit(3, seconds(10));
    const Clock::time_point t0{};
    for (int i = 0; i < 3; ++i) {
        const auto p = limit.next(t0 + seconds(1));
        EXPECT_TRUE(p.log) << i;
        EXPECT_EQ(p.suppressed, 0u);
    }
    for (int i = 0; i < 5; ++i)
        EXPECT_FALSE(limit.next(t0 + seconds(2)).log);
}

TEST(LogRateLimit, TheNextWindowSaysHowManyWereLeftOut) {
    LogRateLimit limit(2, seconds(10));
    const Clock::time_point t0{};
    EXPECT_TRUE(limit.next(t0).log);
    EXPECT_TRUE(limit.next(t0).log);
    for (int i = 0; i < 7; ++i)
        EXPECT_FALSE(limit.next(t0 + seconds(9)).log);
    const auto p = limit.next(t0 + seconds(10));
    EXPECT_TRUE(p.log);
    EXPECT_EQ(p.suppressed, 7u);
    const auto q = limit.next(t0 + seconds(11));
    EXPECT_TRUE(q.log);
    EXPECT_EQ(q.suppressed, 0u);  // counted once only
}

TEST(LogRateLimit, SuppressedNote) {
    EXPECT_EQ(suppressed_note(0), "");
    EXPECT_EQ(suppressed_note(1), "; 1 similar line left out before this one");
    EXPECT_EQ(suppressed_note(42), "; 42 similar lines left out before this one");
}

}  // namespace
}  // namespace akasa::util
