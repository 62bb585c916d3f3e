// An application message as the broker keeps it: copied once out of the read buffer into
// one immutable, reference-counted object that every subscriber, queue and the retained
// store share (across threads; the reference count is atomic, the content never changes).
//
//   MessagePtr m = Message::from_publish(publish, publisher_session, now);
//   mqtt::Publish out = m->to_publish(QoS::AtLeastOnce, /*retain=*/false, now);
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "broker/routing/subscription.h"
#include "mqtt/packets.h"

namespace akasa::broker {

using Clock = std::chrono::steady_clock;

// The v5 properties a PUBLISH carries to its receivers (spec 3.3.2.3), owned.
struct MessageProperties {
    std::optional<std::uint8_t> payload_format_indicator;
    std::optional<std::string> content_type;
    std::optional<std::string> response_topic;
    std::optional<std::string> correlation_data;
    std::vector<std::pair<std::string, std::string>> user_properties;

    // The bytes of every string above (what the byte limits count).
    std::size_t bytes() const;
};

// Created only through the factories below: one pooled block holds the reference counts,
// this struct and the topic and payload bytes (message_pool.h), so publishing allocates
// nothing in the steady state. Hence `topic` and `payload` are views into that block, and a
// Message is neither copied nor moved.
struct Message {
    std::string_view topic;
    std::string_view payload;
    mqtt::QoS qos = mqtt::QoS::AtMostOnce;
    bool retain = false;
    // Topic, payload and property bytes (bytes()): what holding this message costs, for
    // the byte limits of queues, output buffers and the retained store. Set by the
    // factories and set_properties(); fits the padding after `retain`.
    std::uint32_t size = 0;
    SessionId publisher = 0;  // for No Local; 0 for messages with no publishing session
    // Message Expiry Interval [MQTT-3.3.2-5]: absent means the message never expires.
    std::optional<Clock::time_point> expires_at;
    // Wills only: their Message Expiry Interval, which starts at publication (expires_at is
    // set on the copy published, see mqtt5_message_expiry.h).
    std::optional<std::uint32_t> will_expiry_interval;
    // Null when there are none. Set through set_properties(), which counts them in `size`.
    std::unique_ptr<const MessageProperties> properties;

    Message() = default;
    Message(const Message&) = delete;
    Message& operator=(const Message&) = delete;

    // The general factory (stored messages, tests): copies topic and payload.
    static std::shared_ptr<Message> create(std::string_view topic, std::string_view payload,
                                           mqtt::QoS qos, bool retain, SessionId publisher);
    // Copies topic, payload and the forwarded properties out of a decoded PUBLISH (or a
    // will, through the Will overload). `topic` overrides publish.topic (topic aliases).
    static std::shared_ptr<const Message> from_publish(const mqtt::Publish& publish,
                                                       std::string_view topic, SessionId publisher,
                                                       Clock::time_point now);
    static std::shared_ptr<const Message> from_will(const mqtt::Will& will, SessionId publisher,
                                                    Clock::time_point now);

    bool expired(Clock::time_point now) const { return expires_at && *expires_at <= now; }

    // Replaces the properties (null: none) and counts them in `size`.
    void set_properties(std::unique_ptr<const MessageProperties> owned);

    // A PUBLISH viewing this message's bytes, for the encoder. The message expiry interval
    // is the remaining lifetime [MQTT-3.3.2-6]. `this` must outlive the returned packet.
    mqtt::Publish to_publish(mqtt::QoS qos, bool retain, Clock::time_point now) const;
};

using MessagePtr = std::shared_ptr<const Message>;

}  // namespace akasa::broker
