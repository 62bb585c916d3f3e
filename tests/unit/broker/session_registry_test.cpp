#include "broker/session/session_registry.h"

#include <gtest/gtest.h>

namespace akasa::broker {
namespace {

TEST(SessionRegistry, FirstClaimWins) {
    SessionRegistry registry;
    EXPECT_EQ(registry.claim("c", 1), 1u);
    EXPECT_EQ(registry.claim("c", 0), 1u);
    EXPECT_EQ(registry.size(), 1u);
}

TEST(SessionRegistry, OnlyTheOwnerReleases) {
    SessionRegistry registry;
    registry.claim("c", 1);
    registry.release("c", 0);
    EXPECT_EQ(registry.claim("c", 0), 1u);
    registry.release("c", 1);
    EXPECT_EQ(registry.claim("c", 0), 0u);
}

}  // namespace
}  // namespace akasa::broker
