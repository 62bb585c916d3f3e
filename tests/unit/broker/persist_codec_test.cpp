// The engine <-> store conversions of persistence (broker/persist/persist_codec.h): what a message
// forwards survives the round trip, deadlines move between clocks without losing time, and a
// damaged properties blob is refused rather than misread.
#include "broker/persist/persist_codec.h"

#include <gtest/gtest.h>

namespace akasa::broker::persist {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

ClockPair fixed_clocks() {
    return {Clock::time_point(seconds(1000)), store::WallTime(milliseconds(1'700'000'000'000))};
}

MessagePtr message_with_everything(const ClockPair& clocks) {
    auto m =
        Message::create("a/b", std::string_view("\0\1payload", 9), mqtt::QoS::ExactlyOnce, true, 0);
    m->expires_at = clocks.steady + seconds(30);
    auto p = std::make_unique<MessageProperties>();
    p->payload_format_indicator = 1;
    p->content_type = "text/plain";
    p->response_topic = "reply/here";
    p->correlation_data = std::string("\0\xff", 2);
    p->user_properties = {{"k", "v"}, {"k", ""}};
    m->properties = std::move(p);
    return m;
}

TEST(PersistCodecTest, NothingToKeepIsAnEmptyBlob) {
    EXPECT_TRUE(encode_properties(nullptr, {}).empty());
    std::unique_ptr<const MessageProperties> properties;
    std::vector<std::uint32_t> ids{7};
    EXPECT_TRUE(decode_properties("", &properties, &ids));
    EXPECT_EQ(properties, nullptr);
}

TEST(PersistCodecTest, DeliveryRoundTripKeepsPropertiesIdsAndRemainingLifetime) {
    const auto clocks = fixed_clocks();
    Delivery delivery;
    delivery.message = message_with_everything(clocks);
    delivery.qos = mqtt::QoS::AtLeastOnce;
    delivery.retain = false;
    delivery.subscription_ids = {3, 268435455};
    const store::MessageRecord record = to_record(delivery, clocks);
    EXPECT_EQ(record.qos, 1);  // the delivery's QoS, not the publish QoS
    EXPECT_FALSE(record.retain);
    ASSERT_TRUE(record.expires_at);
    EXPECT_EQ(*record.expires_at, clocks.wall + seconds(30));

    // Restarted 10 s later (wall clock) on a steady clock that started over.
    const ClockPair later{Clock::time_point(seconds(5)), clocks.wall + seconds(10)};
    std::vector<std::uint32_t> ids;
    std::string error;
    const MessagePtr back = from_record(record, later, &ids, &error);
    ASSERT_NE(back, nullptr) << error;
    EXPECT_EQ(back->topic, "a/b");
    EXPECT_EQ(back->payload, delivery.message->payload);
    EXPECT_EQ(back->qos, mqtt::QoS::AtLeastOnce);
    ASSERT_TRUE(back->expires_at);
    EXPECT_EQ(*back->expires_at, later.steady + seconds(20));  // expiry kept counting
    EXPECT_EQ(ids, (std::vector<std::uint32_t>{3, 268435455}));
    ASSERT_NE(back->properties, nullptr);
    const auto& p = *back->properties;
    const auto& q = *delivery.message->properties;
    EXPECT_EQ(p.payload_format_indicator, q.payload_format_indicator);
    EXPECT_EQ(p.content_type, q.content_type);
    EXPECT_EQ(p.response_topic, q.response_topic);
    EXPECT_EQ(p.correlation_data, q.correlation_data);
    EXPECT_EQ(p.user_properties, q.user_properties);
}

TEST(PersistCodecTest, MessageWithoutExpiryNeverExpires) {
    const auto clocks = fixed_clocks();
    const auto m = Message::create("t", "", mqtt::QoS::AtLeastOnce, false, 0);
    const auto record = to_record(*m, clocks);
    EXPECT_FALSE(record.expires_at);
    EXPECT_TRUE(record.properties.empty());
    const auto back = from_record(record, clocks, nullptr, nullptr);
    ASSERT_NE(back, nullptr);
    EXPECT_FALSE(back->expires_at);
    EXPECT_EQ(back->properties, nullptr);
}

TEST(PersistCodecTest, DamagedBlobsAreRefused) {
    const auto clocks = fixed_clocks();
    const std::string good =
        encode_properties(message_with_everything(clocks)->properties.get(), {1, 2});
    std::unique_ptr<const MessageProperties> properties;
    std::vector<std::uint32_t> ids;
    ASSERT_TRUE(decode_properties(good, &properties, &ids));
    for (std::size_t cut = 1; cut < good.size(); ++cut) {
        EXPECT_FALSE(decode_properties(good.substr(0, cut), &properties, &ids)) << cut;
    }
    EXPECT_FALSE(decode_properties(good + "x", &properties, &ids));  // trailing bytes
    std::string unknown_version = good;
    unknown_version[0] = 9;
    EXPECT_FALSE(decode_properties(unknown_version, &properties, &ids));
    std::string unknown_flag = good;
    unknown_flag[1] = static_cast<char>(0x40);
    EXPECT_FALSE(decode_properties(unknown_flag, &properties, &ids));

    store::MessageRecord record;
    record.topic = "x";
    record.properties = good.substr(0, 3);
    std::string error;
    EXPECT_EQ(from_record(record, clocks, nullptr, &error), nullptr);
    EXPECT_NE(error.find("\"x\""), std::string::npos) << error;
}

}  // namespace
}  // namespace akasa::broker::persist
