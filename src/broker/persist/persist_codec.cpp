#include "broker/persist/persist_codec.h"

#include <cstring>

namespace akasa::broker::persist {
namespace {

constexpr std::uint8_t kPropertiesVersion = 1;
enum : std::uint8_t {
    kHasPayloadFormat = 1 << 0,
    kHasContentType = 1 << 1,
    kHasResponseTopic = 1 << 2,
    kHasCorrelationData = 1 << 3,
    kHasUserProperties = 1 << 4,
    kHasSubscriptionIds = 1 << 5,
};

void put_u32(std::string& out, std::uint32_t v) {
    for (int i = 0; i < 4; ++i)
        out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

void put_bytes(std::string& out, std::string_view bytes) {
    put_u32(out, static_cast<std::uint32_t>(bytes.size()));
    out.append(bytes);
}

// Reads from the front of `in`; false when too short.
bool get_u8(std::string_view& in, std::uint8_t& v) {
    if (in.empty()) return false;
    v = static_cast<std::uint8_t>(in[0]);
    in.remove_prefix(1);
    return true;
}

bool get_u32(std::string_view& in, std::uint32_t& v) {
    if (in.size() < 4) return false;
    v = 0;
    for (int i = 0; i < 4; ++i)
        v |= static_cast<std::uint32_t>(static_cast<std::uint8_t>(in[i])) << (8 * i);
    in.remove_prefix(4);
    return true;
}

bool get_bytes(std::string_view& in, std::string& out) {
    std::uint32_t size = 0;
    if (!get_u32(in, size) || in.size() < size) return false;
    out.assign(in.substr(0, size));
    in.remove_prefix(size);
    return true;
}

// `clocks` null: read the wall clock, only for a message that expires (most do not).
void fill(store::MessageRecord& record, const Message& message, std::uint8_t qos, bool retain,
          const std::vector<std::uint32_t>& ids, const ClockPair* clocks, Clock::time_point now) {
    record.topic.assign(message.topic);
    record.payload.assign(message.payload);
    record.qos = qos;
    record.retain = retain;
    encode_properties(message.properties.get(), ids, record.properties);
    record.expires_at.reset();
    if (message.expires_at) {
        record.expires_at = (clocks ? *clocks : ClockPair::now(now)).to_wall(*message.expires_at);
    }
}

}  // namespace

std::string encode_properties(const MessageProperties* p,
                              const std::vector<std::uint32_t>& subscription_ids) {
    std::string out;
    encode_properties(p, subscription_ids, out);
    return out;
}

void encode_properties(const MessageProperties* p,
                       const std::vector<std::uint32_t>& subscription_ids, std::string& out) {
    out.clear();
    if (!p && subscription_ids.empty()) return;
    std::uint8_t flags = 0;
    if (p) {
        if (p->payload_format_indicator) flags |= kHasPayloadFormat;
        if (p->content_type) flags |= kHasContentType;
        if (p->response_topic) flags |= kHasResponseTopic;
        if (p->correlation_data) flags |= kHasCorrelationData;
        if (!p->user_properties.empty()) flags |= kHasUserProperties;
    }
    if (!subscription_ids.empty()) flags |= kHasSubscriptionIds;
    out.push_back(static_cast<char>(kPropertiesVersion));
    out.push_back(static_cast<char>(flags));
    if (flags & kHasPayloadFormat) out.push_back(static_cast<char>(*p->payload_format_indicator));
    if (flags & kHasContentType) put_bytes(out, *p->content_type);
    if (flags & kHasResponseTopic) put_bytes(out, *p->response_topic);
    if (flags & kHasCorrelationData) put_bytes(out, *p->correlation_data);
    if (flags & kHasUserProperties) {
        put_u32(out, static_cast<std::uint32_t>(p->user_properties.size()));
        for (const auto& [key, value] : p->user_properties) {
            put_bytes(out, key);
            put_bytes(out, value);
        }
    }
    if (flags & kHasSubscriptionIds) {
        put_u32(out, static_cast<std::uint32_t>(subscription_ids.size()));
        for (auto id : subscription_ids)
            put_u32(out, id);
    }
}

bool decode_properties(std::string_view in, std::unique_ptr<const MessageProperties>* properties,
                       std::vector<std::uint32_t>* subscription_ids) {
    if (in.empty()) return true;
    std::uint8_t version = 0;
    std::uint8_t flags = 0;
    if (!get_u8(in, version) || version != kPropertiesVersion || !get_u8(in, flags)) return false;
    if (flags & ~0x3F) return false;
    auto p = std::make_unique<MessageProperties>();
    if (flags & kHasPayloadFormat) {
        std::uint8_t v = 0;
        if (!get_u8(in, v)) return false;
        p->payload_format_indicator = v;
    }
    auto optional_bytes = [&](std::uint8_t bit, std::optional<std::string>& out) {
        if (!(flags & bit)) return true;
        return get_bytes(in, out.emplace());
    };
    if (!optional_bytes(kHasContentType, p->content_type) ||
        !optional_bytes(kHasResponseTopic, p->response_topic) ||
        !optional_bytes(kHasCorrelationData, p->correlation_data)) {
        return false;
    }
    if (flags & kHasUserProperties) {
        std::uint32_t count = 0;
        if (!get_u32(in, count) || count > in.size() / 8) return false;
        p->user_properties.resize(count);
        for (auto& [key, value] : p->user_properties) {
            if (!get_bytes(in, key) || !get_bytes(in, value)) return false;
        }
    }
    std::vector<std::uint32_t> ids;
    if (flags & kHasSubscriptionIds) {
        std::uint32_t count = 0;
        if (!get_u32(in, count) || count > in.size() / 4) return false;
        ids.resize(count);
        for (auto& id : ids)
            if (!get_u32(in, id)) return false;
    }
    if (!in.empty()) return false;
    if (flags & 0x1F) *properties = std::move(p);
    if (subscription_ids) *subscription_ids = std::move(ids);
    return true;
}

store::MessageRecord to_record(const Message& message, const ClockPair& clocks) {
    store::MessageRecord record;
    fill(record, message, static_cast<std::uint8_t>(message.qos), message.retain, {}, &clocks,
         clocks.steady);
    return record;
}

store::MessageRecord to_record(const Delivery& delivery, const ClockPair& clocks) {
    store::MessageRecord record;
    fill(record, *delivery.message, static_cast<std::uint8_t>(delivery.qos), delivery.retain,
         delivery.subscription_ids, &clocks, clocks.steady);
    return record;
}

void fill_record(store::MessageRecord& record, const Delivery& delivery, Clock::time_point now) {
    fill(record, *delivery.message, static_cast<std::uint8_t>(delivery.qos), delivery.retain,
         delivery.subscription_ids, nullptr, now);
}

MessagePtr from_record(const store::MessageRecord& record, const ClockPair& clocks,
                       std::vector<std::uint32_t>* subscription_ids, std::string* error) {
    auto m = Message::create(record.topic, record.payload, static_cast<mqtt::QoS>(record.qos),
                             record.retain, 0);
    std::unique_ptr<const MessageProperties> properties;
    if (!decode_properties(record.properties, &properties, subscription_ids)) {
        if (error) *error = "message properties do not decode (topic \"" + record.topic + "\")";
        return nullptr;
    }
    m->set_properties(std::move(properties));
    if (record.expires_at) m->expires_at = clocks.to_steady(*record.expires_at);
    return m;
}

}  // namespace akasa::broker::persist
