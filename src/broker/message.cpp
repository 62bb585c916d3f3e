#include "broker/message.h"

namespace akasa::broker {
namespace {

std::unique_ptr<const MessageProperties> copy_properties(const mqtt::Properties& p) {
    if (!p.payload_format_indicator && !p.content_type && !p.response_topic &&
        !p.correlation_data && p.user_properties.empty()) {
        return nullptr;
    }
    auto owned = std::make_unique<MessageProperties>();
    owned->payload_format_indicator = p.payload_format_indicator;
    if (p.content_type) owned->content_type.emplace(*p.content_type);
    if (p.response_topic) owned->response_topic.emplace(*p.response_topic);
    if (p.correlation_data) owned->correlation_data.emplace(*p.correlation_data);
    owned->user_properties.reserve(p.user_properties.size());
    for (const auto& [key, value] : p.user_properties) {
        owned->user_properties.emplace_back(std::string(key), std::string(value));
    }
    return owned;
}

std::optional<Clock::time_point> expiry(const mqtt::Properties& p, Clock::time_point now) {
    if (!p.message_expiry_interval) return std::nullopt;
    return now + std::chrono::seconds(*p.message_expiry_interval);
}

}  // namespace

std::shared_ptr<const Message> Message::from_publish(const mqtt::Publish& publish,
                                                     std::string_view topic, SessionId publisher,
                                                     Clock::time_point now) {
    auto m = std::make_shared<Message>();
    m->topic.assign(topic);
    m->payload.assign(publish.payload);
    m->qos = publish.qos;
    m->retain = publish.retain;
    m->publisher = publisher;
    m->expires_at = expiry(publish.properties, now);
    m->properties = copy_properties(publish.properties);
    return m;
}

std::shared_ptr<const Message> Message::from_will(const mqtt::Will& will, SessionId publisher,
                                                  Clock::time_point now) {
    auto m = std::make_shared<Message>();
    m->topic.assign(will.topic);
    m->payload.assign(will.payload);
    m->qos = will.qos;
    m->retain = will.retain;
    m->publisher = publisher;
    m->expires_at = expiry(will.properties, now);
    m->properties = copy_properties(will.properties);
    return m;
}

mqtt::Publish Message::to_publish(mqtt::QoS out_qos, bool out_retain, Clock::time_point now) const {
    mqtt::Publish p;
    p.qos = out_qos;
    p.retain = out_retain;
    p.topic = topic;
    p.payload = payload;
    if (expires_at) {
        auto left = std::chrono::ceil<std::chrono::seconds>(*expires_at - now).count();
        p.properties.message_expiry_interval = static_cast<std::uint32_t>(left > 0 ? left : 0);
    }
    if (properties) {
        p.properties.payload_format_indicator = properties->payload_format_indicator;
        if (properties->content_type) p.properties.content_type = *properties->content_type;
        if (properties->response_topic) p.properties.response_topic = *properties->response_topic;
        if (properties->correlation_data)
            p.properties.correlation_data = *properties->correlation_data;
        for (const auto& [key, value] : properties->user_properties) {
            p.properties.user_properties.emplace_back(key, value);
        }
    }
    return p;
}

}  // namespace akasa::broker
