#include "broker/routing/retained_cost.h"

#include <gtest/gtest.h>

#include <string>

namespace akasa::broker {
namespace {

// Deep topics count the trie nodes they make, not only their bytes: 20 topics of 32,768
// levels (1.3 MB sent) took 61 MiB.
TEST(RetainedCost, CountsTheMessageAndATrieNodePerLevel) {
    auto flat = Message::create("abc", "payload", mqtt::QoS::AtMostOnce, true, 0);
    EXPECT_EQ(RetainedCost{}(*flat), 10u + RetainedCost::kPerLevel);
    std::string deep = "a";
    for (int i = 1; i < 32768; ++i)
        deep += "/a";
    auto message = Message::create(deep, "", mqtt::QoS::AtMostOnce, true, 0);
    EXPECT_EQ(RetainedCost{}(*message), deep.size() + 32768 * RetainedCost::kPerLevel);
    EXPECT_GT(RetainedCost{}(*message), 3u << 20);
}

}  // namespace
}  // namespace akasa::broker
