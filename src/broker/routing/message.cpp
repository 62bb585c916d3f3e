#include "broker/routing/message.h"

#include <algorithm>
#include <cstring>

#include "broker/routing/message_pool.h"

namespace akasa::broker {
namespace {

// The allocator std::allocate_shared uses for a Message: it asks for `extra` bytes beyond
// the control block (which embeds the Message) and reports where they start, so topic and
// payload share the message's one pooled block.
template <class T>
struct TailAllocator {
    using value_type = T;

    TailAllocator(std::size_t extra_bytes, char** tail_out) : extra(extra_bytes), tail(tail_out) {}
    template <class U>
    TailAllocator(const TailAllocator<U>& other) : extra(other.extra), tail(other.tail) {}

    T* allocate(std::size_t n) {
        auto* block = static_cast<char*>(message_pool::allocate(n * sizeof(T) + extra));
        if (tail) *tail = block + n * sizeof(T);
        return reinterpret_cast<T*>(block);
    }
    void deallocate(T* block, std::size_t n) noexcept {
        message_pool::deallocate(block, n * sizeof(T) + extra);
    }
    template <class U>
    bool operator==(const TailAllocator<U>& other) const {
        return extra == other.extra;
    }

    std::size_t extra;
    char** tail;
};

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

std::shared_ptr<Message> Message::create(std::string_view topic, std::string_view payload,
                                         mqtt::QoS qos, bool retain, SessionId publisher) {
    char* bytes = nullptr;
    auto m = std::allocate_shared<Message>(
        TailAllocator<Message>(topic.size() + payload.size(), &bytes));
    // (memcpy with a null source is undefined even for 0 bytes: empty views may be null)
    if (!topic.empty()) std::memcpy(bytes, topic.data(), topic.size());
    if (!payload.empty()) std::memcpy(bytes + topic.size(), payload.data(), payload.size());
    m->topic = std::string_view(bytes, topic.size());
    m->payload = std::string_view(bytes + topic.size(), payload.size());
    m->qos = qos;
    m->retain = retain;
    m->size = static_cast<std::uint32_t>(topic.size() + payload.size());
    m->publisher = publisher;
    return m;
}

std::size_t MessageProperties::bytes() const {
    std::size_t total = payload_format_indicator ? 1 : 0;
    if (content_type) total += content_type->size();
    if (response_topic) total += response_topic->size();
    if (correlation_data) total += correlation_data->size();
    for (const auto& [key, value] : user_properties)
        total += key.size() + value.size();
    return total;
}

void Message::set_properties(std::unique_ptr<const MessageProperties> owned) {
    if (properties) size -= static_cast<std::uint32_t>(properties->bytes());
    properties = std::move(owned);
    if (properties) size += static_cast<std::uint32_t>(properties->bytes());
}

std::shared_ptr<const Message> Message::from_publish(const mqtt::Publish& publish,
                                                     std::string_view topic, SessionId publisher,
                                                     Clock::time_point now) {
    auto m = create(topic, publish.payload, publish.qos, publish.retain, publisher);
    m->expires_at = expiry(publish.properties, now);
    m->set_properties(copy_properties(publish.properties));
    return m;
}

std::shared_ptr<const Message> Message::from_will(const mqtt::Will& will, SessionId publisher,
                                                  Clock::time_point now) {
    auto m = create(will.topic, will.payload, will.qos, will.retain, publisher);
    (void)now;  // the expiry counts from publication (mqtt5_message_expiry.h)
    m->will_expiry_interval = will.properties.message_expiry_interval;
    m->set_properties(copy_properties(will.properties));
    return m;
}

mqtt::Publish Message::to_publish(mqtt::QoS out_qos, bool out_retain, Clock::time_point now) const {
    mqtt::Publish p;
    p.qos = out_qos;
    p.retain = out_retain;
    p.topic = topic;
    p.payload = payload;
    if (expires_at) {
        // Nearest second, at least 1 while not expired: workers' cached clocks differ by up
        // to a loop iteration, and rounding up would forward 121 for a 120 just received.
        const auto ms =
            std::chrono::duration_cast<std::chrono::milliseconds>(*expires_at - now).count();
        const auto left = ms <= 0 ? 0 : std::max<long long>(1, (ms + 500) / 1000);
        p.properties.message_expiry_interval = static_cast<std::uint32_t>(left);
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
