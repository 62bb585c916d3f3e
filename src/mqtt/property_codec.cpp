#include "mqtt/property_codec.h"

#include "mqtt/encoder.h"
#include "mqtt/topic.h"

namespace akasa::mqtt {

namespace detail {

namespace {

constexpr DecodeError kMalformedLength{ReasonCode::MalformedPacket,
                                       "property length is malformed or overruns the packet"};
constexpr DecodeError kTruncated{ReasonCode::MalformedPacket,
                                 "property value is cut off or not of its data type"};
constexpr DecodeError kDuplicate{ReasonCode::ProtocolError,
                                 "property that may appear once is repeated"};

template <typename T>
DecodeResult store_once(std::optional<T>& slot, T value) {
    if (slot) return kDuplicate;
    slot = value;
    return std::nullopt;
}

DecodeResult read_byte(ByteReader& r, std::optional<uint8_t>& slot, bool zero_or_one) {
    uint8_t value;
    if (!r.read_u8(value)) return kTruncated;
    if (zero_or_one && value > 1) {
        return DecodeError{ReasonCode::ProtocolError, "property value must be 0 or 1"};
    }
    return store_once(slot, value);
}

DecodeResult read_u16(ByteReader& r, std::optional<uint16_t>& slot) {
    uint16_t value;
    if (!r.read_u16(value)) return kTruncated;
    return store_once(slot, value);
}

DecodeResult read_u32(ByteReader& r, std::optional<uint32_t>& slot) {
    uint32_t value;
    if (!r.read_u32(value)) return kTruncated;
    return store_once(slot, value);
}

DecodeResult read_string(ByteReader& r, std::optional<std::string_view>& slot) {
    std::string_view value;
    if (!r.read_utf8(value)) return kTruncated;
    return store_once(slot, value);
}

DecodeResult read_binary(ByteReader& r, std::optional<std::string_view>& slot) {
    std::string_view value;
    if (!r.read_binary(value)) return kTruncated;
    return store_once(slot, value);
}

// `user_property_bytes`: the keys and values of the block's User Properties so far.
DecodeResult read_one(ByteReader& r, PropertyId id, PropertySet allowed, Properties& out,
                      const DecodeLimits& limits, uint64_t& user_property_bytes) {
    switch (id) {
        case PayloadFormatIndicator:
            return read_byte(r, out.payload_format_indicator, true);
        case MessageExpiryInterval:
            return read_u32(r, out.message_expiry_interval);
        case ContentType:
            return read_string(r, out.content_type);
        case ResponseTopic: {
            if (auto error = read_string(r, out.response_topic)) return error;
            if (!validate_topic_name(*out.response_topic)) {
                return DecodeError{ReasonCode::ProtocolError,
                                   "Response Topic must be a topic name without wildcards"};
            }
            return std::nullopt;
        }
        case CorrelationData:
            return read_binary(r, out.correlation_data);
        case SubscriptionIdentifier: {
            uint32_t value;
            if (!r.read_varint(value)) return kTruncated;
            if (value == 0) {
                return DecodeError{ReasonCode::ProtocolError, "Subscription Identifier is 0"};
            }
            // Several only in PUBLISH (one per matching subscription) [MQTT-3.3.4-4].
            if (!out.subscription_identifiers.empty() && allowed != kPublishProperties) {
                return kDuplicate;
            }
            out.subscription_identifiers.push_back(value);
            return std::nullopt;
        }
        case SessionExpiryInterval:
            return read_u32(r, out.session_expiry_interval);
        case AssignedClientIdentifier:
            return read_string(r, out.assigned_client_identifier);
        case ServerKeepAlive:
            return read_u16(r, out.server_keep_alive);
        case AuthenticationMethod:
            return read_string(r, out.authentication_method);
        case AuthenticationData:
            return read_binary(r, out.authentication_data);
        case RequestProblemInformation:
            return read_byte(r, out.request_problem_information, true);
        case WillDelayInterval:
            return read_u32(r, out.will_delay_interval);
        case RequestResponseInformation:
            return read_byte(r, out.request_response_information, true);
        case ResponseInformation:
            return read_string(r, out.response_information);
        case ServerReference:
            return read_string(r, out.server_reference);
        case ReasonString:
            return read_string(r, out.reason_string);
        case ReceiveMaximum: {
            if (auto error = read_u16(r, out.receive_maximum)) return error;
            if (*out.receive_maximum == 0) {
                return DecodeError{ReasonCode::ProtocolError, "Receive Maximum is 0"};
            }
            return std::nullopt;
        }
        case TopicAliasMaximum:
            return read_u16(r, out.topic_alias_maximum);
        case TopicAlias: {
            if (auto error = read_u16(r, out.topic_alias)) return error;
            if (*out.topic_alias == 0) {
                return DecodeError{ReasonCode::TopicAliasInvalid, "Topic Alias is 0"};
            }
            return std::nullopt;
        }
        case MaximumQoS:
            return read_byte(r, out.maximum_qos, true);
        case RetainAvailable:
            return read_byte(r, out.retain_available, true);
        case UserProperty: {
            if (out.user_properties.size() >= limits.max_user_properties) {
                return kTooManyUserProperties;
            }
            std::string_view key, value;
            if (!r.read_utf8(key) || !r.read_utf8(value)) return kTruncated;
            user_property_bytes += key.size() + value.size();
            if (user_property_bytes > limits.max_user_property_bytes) {
                return kUserPropertiesTooLarge;
            }
            out.user_properties.emplace_back(key, value);
            return std::nullopt;
        }
        case MaximumPacketSize: {
            if (auto error = read_u32(r, out.maximum_packet_size)) return error;
            if (*out.maximum_packet_size == 0) {
                return DecodeError{ReasonCode::ProtocolError, "Maximum Packet Size is 0"};
            }
            return std::nullopt;
        }
        case WildcardSubscriptionAvailable:
            return read_byte(r, out.wildcard_subscription_available, true);
        case SubscriptionIdentifierAvailable:
            return read_byte(r, out.subscription_identifier_available, true);
        case SharedSubscriptionAvailable:
            return read_byte(r, out.shared_subscription_available, true);
    }
    return kTruncated;  // unreachable: the caller checked the id against `allowed`
}

}  // namespace

DecodeResult read_properties(ByteReader& reader, PropertySet allowed, Properties& out,
                             const DecodeLimits& limits) {
    uint32_t length;
    ByteReader block(std::span<const uint8_t>{});
    if (!reader.read_varint(length) || !reader.split(length, block)) return kMalformedLength;
    uint64_t user_property_bytes = 0;
    while (!block.empty()) {
        uint32_t raw_id;
        // The identifier is a variable byte integer; every defined one fits in one byte.
        if (!block.read_varint(raw_id)) return kTruncated;
        if (raw_id >= 64 || (static_cast<uint64_t>(allowed) & (uint64_t{1} << raw_id)) == 0) {
            // [MQTT-2.2.2-2]: an identifier not valid for the packet type is malformed.
            return DecodeError{ReasonCode::MalformedPacket,
                               "property identifier is unknown or not allowed in this packet"};
        }
        if (auto error = read_one(block, static_cast<PropertyId>(raw_id), allowed, out, limits,
                                  user_property_bytes)) {
            return error;
        }
    }
    if (out.authentication_data && !out.authentication_method) {
        return DecodeError{ReasonCode::ProtocolError,
                           "Authentication Data without Authentication Method"};
    }
    return std::nullopt;
}

namespace {

// Calls visit(id, kind, value) for every present property in identifier order.
struct SizeCounter {
    size_t size = 0;
    void byte(PropertyId, uint8_t) { size += 2; }
    void u16(PropertyId, uint16_t) { size += 3; }
    void u32(PropertyId, uint32_t) { size += 5; }
    void varint(PropertyId, uint32_t v) { size += 1 + varint_size(v); }
    void string(PropertyId, std::string_view s) { size += 1 + string_size(s); }
    void pair(PropertyId, const mqtt::UserProperty& p) {
        size += 1 + string_size(p.first) + string_size(p.second);
    }
};

struct Writer {
    ByteWriter& w;
    void byte(PropertyId id, uint8_t v) {
        w.u8(static_cast<uint8_t>(id));
        w.u8(v);
    }
    void u16(PropertyId id, uint16_t v) {
        w.u8(static_cast<uint8_t>(id));
        w.u16(v);
    }
    void u32(PropertyId id, uint32_t v) {
        w.u8(static_cast<uint8_t>(id));
        w.u32(v);
    }
    void varint(PropertyId id, uint32_t v) {
        w.u8(static_cast<uint8_t>(id));
        w.varint(v);
    }
    void string(PropertyId id, std::string_view s) {
        w.u8(static_cast<uint8_t>(id));
        w.string(s);
    }
    void pair(PropertyId id, const mqtt::UserProperty& p) {
        w.u8(static_cast<uint8_t>(id));
        w.string(p.first);
        w.string(p.second);
    }
};

template <typename Visitor>
void visit_properties(const Properties& p, Visitor& v) {
    if (p.payload_format_indicator) v.byte(PayloadFormatIndicator, *p.payload_format_indicator);
    if (p.message_expiry_interval) v.u32(MessageExpiryInterval, *p.message_expiry_interval);
    if (p.content_type) v.string(ContentType, *p.content_type);
    if (p.response_topic) v.string(ResponseTopic, *p.response_topic);
    if (p.correlation_data) v.string(CorrelationData, *p.correlation_data);
    for (uint32_t id : p.subscription_identifiers)
        v.varint(SubscriptionIdentifier, id);
    if (p.session_expiry_interval) v.u32(SessionExpiryInterval, *p.session_expiry_interval);
    if (p.assigned_client_identifier) {
        v.string(AssignedClientIdentifier, *p.assigned_client_identifier);
    }
    if (p.server_keep_alive) v.u16(ServerKeepAlive, *p.server_keep_alive);
    if (p.authentication_method) v.string(AuthenticationMethod, *p.authentication_method);
    if (p.authentication_data) v.string(AuthenticationData, *p.authentication_data);
    if (p.request_problem_information) {
        v.byte(RequestProblemInformation, *p.request_problem_information);
    }
    if (p.will_delay_interval) v.u32(WillDelayInterval, *p.will_delay_interval);
    if (p.request_response_information) {
        v.byte(RequestResponseInformation, *p.request_response_information);
    }
    if (p.response_information) v.string(ResponseInformation, *p.response_information);
    if (p.server_reference) v.string(ServerReference, *p.server_reference);
    if (p.reason_string) v.string(ReasonString, *p.reason_string);
    if (p.receive_maximum) v.u16(ReceiveMaximum, *p.receive_maximum);
    if (p.topic_alias_maximum) v.u16(TopicAliasMaximum, *p.topic_alias_maximum);
    if (p.topic_alias) v.u16(TopicAlias, *p.topic_alias);
    if (p.maximum_qos) v.byte(MaximumQoS, *p.maximum_qos);
    if (p.retain_available) v.byte(RetainAvailable, *p.retain_available);
    for (const auto& pair : p.user_properties)
        v.pair(UserProperty, pair);
    if (p.maximum_packet_size) v.u32(MaximumPacketSize, *p.maximum_packet_size);
    if (p.wildcard_subscription_available) {
        v.byte(WildcardSubscriptionAvailable, *p.wildcard_subscription_available);
    }
    if (p.subscription_identifier_available) {
        v.byte(SubscriptionIdentifierAvailable, *p.subscription_identifier_available);
    }
    if (p.shared_subscription_available) {
        v.byte(SharedSubscriptionAvailable, *p.shared_subscription_available);
    }
}

}  // namespace

void write_properties(ByteWriter& writer, const Properties& properties, size_t size) {
    writer.varint(static_cast<uint32_t>(size));
    if (size == 0) return;
    Writer visitor{writer};
    visit_properties(properties, visitor);
}

}  // namespace detail

size_t properties_size(const Properties& properties) {
    detail::SizeCounter counter;
    detail::visit_properties(properties, counter);
    return counter.size;
}

}  // namespace akasa::mqtt
