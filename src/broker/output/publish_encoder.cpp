#include "broker/output/publish_encoder.h"

#include "broker/output/connection_output.h"
#include "mqtt/encoder.h"

namespace akasa::broker {

using mqtt::ProtocolVersion;

namespace {

// Where the packet id starts in an encoded PUBLISH: after the fixed header and the topic.
std::size_t offset_of_packet_id(const std::vector<std::uint8_t>& encoded, std::size_t topic_size) {
    std::size_t header = 1;
    while (encoded[header] & 0x80)
        ++header;
    return header + 1 + 2 + topic_size;
}

}  // namespace

PublishEncoder::Form PublishEncoder::encode_anew(const Delivery& delivery, bool v5,
                                                 OutboundTopicAliases* aliases,
                                                 Clock::time_point now) {
    const Message& message = *delivery.message;
    const auto qos = static_cast<std::uint8_t>(delivery.qos);
    Form form;
    // A large payload is not copied (not into the cache, not into the connection's output):
    // the encoded forms end before it, and it is sent from the message itself.
    form.by_reference = message.payload.size() >= ConnectionOutput::kReferencedPayload;
    auto encode_into = [&](const mqtt::Publish& publish, ProtocolVersion version,
                           std::vector<std::uint8_t>& out) {
        if (form.by_reference) {
            mqtt::encode_publish_head(publish, version, out);
        } else {
            mqtt::encode(publish, version, out);
        }
    };
    if (v5 && aliases) {
        // Topic aliases differ per connection: this form is not shared (mqtt5_topic_aliases.h).
        auto publish = message.to_publish(delivery.qos, delivery.retain, now);
        publish.packet_id = qos ? 1 : 0;
        publish.properties.subscription_identifiers = delivery.subscription_ids;
        const auto encoded = encode_with_alias(*aliases, publish, scratch_, form.by_reference);
        form.aliases = aliases;
        form.alias = encoded.choice;
        form.bytes = scratch_;
        form.packet_id_offset = encoded.packet_id_offset;
    } else if (v5 && !delivery.subscription_ids.empty()) {
        // Subscription identifiers differ per subscriber: this form is not shared.
        auto publish = message.to_publish(delivery.qos, delivery.retain, now);
        publish.packet_id = qos ? 1 : 0;
        publish.properties.subscription_identifiers = delivery.subscription_ids;
        scratch_.clear();
        encode_into(publish, ProtocolVersion::V5, scratch_);
        form.bytes = scratch_;
        form.packet_id_offset = offset_of_packet_id(scratch_, message.topic.size());
    } else {
        // A message with an expiry is encoded again each time the clock moved: its Message
        // Expiry Interval counts down.
        if (cached_message_.get() != &message || (message.expires_at && cached_at_ != now)) {
            cached_message_ = delivery.message;
            cached_at_ = now;
            ++generation_;  // every cached form is stale
        }
        auto& cached = cached_forms_[form_index(delivery, v5)];
        if (cached.generation != generation_) {
            auto publish = message.to_publish(delivery.qos, delivery.retain, now);
            publish.packet_id = qos ? 1 : 0;
            cached.bytes.clear();
            encode_into(publish, v5 ? ProtocolVersion::V5 : ProtocolVersion::V311, cached.bytes);
            cached.packet_id_offset = offset_of_packet_id(cached.bytes, message.topic.size());
            cached.generation = generation_;
        }
        form.bytes = cached.bytes;
        form.packet_id_offset = cached.packet_id_offset;
    }
    form.size = form.bytes.size() + (form.by_reference ? message.payload.size() : 0);
    return form;
}

}  // namespace akasa::broker
