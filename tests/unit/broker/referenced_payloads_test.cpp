#include "broker/output/referenced_payloads.h"

#include <gtest/gtest.h>

#include <string>

namespace akasa::broker {
namespace {

MessagePtr message(const std::string& payload) {
    return Message::create("t", payload, mqtt::QoS::AtMostOnce, false, 0);
}

std::string text(std::span<const std::uint8_t> bytes) {
    return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

TEST(ReferencedPayloads, PayloadsGoOutInOrderAtTheirOffsets) {
    ReferencedPayloads refs;
    EXPECT_TRUE(refs.empty());
    refs.add(10, message("first"));
    refs.add(10, message("second"));  // two payloads back to back
    refs.add(25, message("third"));
    EXPECT_EQ(refs.bytes(), 5u + 6u + 5u);
    EXPECT_EQ(refs.front_at(), 10u);
    EXPECT_EQ(text(refs.front_rest()), "first");
    refs.sent(2);  // a partial write
    EXPECT_EQ(text(refs.front_rest()), "rst");
    EXPECT_EQ(refs.bytes(), 3u + 6u + 5u);
    refs.sent(3);
    EXPECT_EQ(refs.front_at(), 10u);
    EXPECT_EQ(text(refs.front_rest()), "second");
    refs.sent(6);
    EXPECT_EQ(refs.front_at(), 25u);
    refs.rebase(20);  // the output buffer dropped 20 bytes it had sent
    EXPECT_EQ(refs.front_at(), 5u);
    refs.sent(5);
    EXPECT_TRUE(refs.empty());
    EXPECT_EQ(refs.bytes(), 0u);
}

// The output holds the message until its payload is out: the payload's bytes are the
// message's own, never a copy.
TEST(ReferencedPayloads, HoldsTheMessageNotACopy) {
    ReferencedPayloads refs;
    auto m = message(std::string(100000, 'x'));
    refs.add(0, m);
    EXPECT_EQ(m.use_count(), 2);
    EXPECT_EQ(refs.front_rest().data(), reinterpret_cast<const std::uint8_t*>(m->payload.data()));
    refs.sent(100000);
    EXPECT_EQ(m.use_count(), 1);
}

}  // namespace
}  // namespace akasa::broker
