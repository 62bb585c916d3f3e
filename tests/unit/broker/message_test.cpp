#include "broker/routing/message.h"

#include <gtest/gtest.h>

namespace akasa::broker {
namespace {

TEST(Message, CopiesPublishOutOfTheReadBuffer) {
    std::string buffer = "topic/apayloadctype";
    mqtt::Publish publish;
    publish.topic = std::string_view(buffer).substr(0, 7);
    publish.payload = std::string_view(buffer).substr(7, 7);
    publish.qos = mqtt::QoS::AtLeastOnce;
    publish.retain = true;
    publish.properties.content_type = std::string_view(buffer).substr(14);
    publish.properties.user_properties.emplace_back("k", "v");
    const auto now = Clock::now();
    auto message = Message::from_publish(publish, publish.topic, 9, now);
    buffer.assign(buffer.size(), '#');  // the read buffer is reused
    EXPECT_EQ(message->topic, "topic/a");
    EXPECT_EQ(message->payload, "payload");
    ASSERT_NE(message->properties, nullptr);
    EXPECT_EQ(message->properties->content_type, "ctype");
    EXPECT_EQ(message->publisher, 9u);
    EXPECT_FALSE(message->expires_at.has_value());
}

TEST(Message, NoPropertiesAllocatesNone) {
    mqtt::Publish publish;
    publish.topic = "t";
    auto message = Message::from_publish(publish, publish.topic, 0, Clock::now());
    EXPECT_EQ(message->properties, nullptr);
}

TEST(Message, ForwardedExpiryIsTheRemainingTime_MQTT_3_3_2_6) {
    mqtt::Publish publish;
    publish.topic = "t";
    publish.properties.message_expiry_interval = 60;
    const auto start = Clock::now();
    auto message = Message::from_publish(publish, publish.topic, 0, start);
    auto out = message->to_publish(mqtt::QoS::AtMostOnce, false, start + std::chrono::seconds(20));
    ASSERT_TRUE(out.properties.message_expiry_interval);
    EXPECT_EQ(*out.properties.message_expiry_interval, 40u);
    EXPECT_FALSE(message->expired(start + std::chrono::seconds(59)));
    EXPECT_TRUE(message->expired(start + std::chrono::seconds(60)));
}

// Message::size is what the byte limits count: topic, payload and every property string.
TEST(Message, SizeCountsTopicPayloadAndProperties) {
    mqtt::Publish publish;
    publish.topic = "topic/a";
    publish.payload = "payload";
    auto plain = Message::from_publish(publish, publish.topic, 0, Clock::now());
    EXPECT_EQ(plain->size, 14u);
    publish.properties.payload_format_indicator = 1;
    publish.properties.content_type = "json";
    publish.properties.response_topic = "re/ply";
    publish.properties.correlation_data = "id";
    publish.properties.user_properties.emplace_back("key", "value");
    publish.properties.message_expiry_interval = 5;  // a number: not held as bytes
    auto rich = Message::from_publish(publish, publish.topic, 0, Clock::now());
    EXPECT_EQ(rich->size, 14u + 1 + 4 + 6 + 2 + 8);
    EXPECT_EQ(rich->size, plain->size + rich->properties->bytes());
    // Replacing the properties keeps the count right.
    auto copy = Message::create("topic/a", "payload", mqtt::QoS::AtMostOnce, false, 0);
    copy->set_properties(std::make_unique<const MessageProperties>(*rich->properties));
    EXPECT_EQ(copy->size, rich->size);
    copy->set_properties(nullptr);
    EXPECT_EQ(copy->size, 14u);
}

}  // namespace
}  // namespace akasa::broker
