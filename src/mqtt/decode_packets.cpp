// Every packet but CONNECT, and the dispatch by packet type.
#include "mqtt/byte_reader.h"
#include "mqtt/decode_errors.h"
#include "mqtt/decoder.h"
#include "mqtt/property_codec.h"
#include "mqtt/topic.h"

#include <algorithm>
#include <initializer_list>

namespace akasa::mqtt {

using namespace detail;

namespace {

constexpr bool one_of(uint8_t code, std::initializer_list<uint8_t> allowed) {
    return std::find(allowed.begin(), allowed.end(), code) != allowed.end();
}

// The reason codes each v5 packet may carry (spec 3.x.2.1 of each packet).
bool valid_connack_reason(uint8_t c) {
    return one_of(c, {0x00, 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89,
                      0x8A, 0x8C, 0x90, 0x95, 0x97, 0x99, 0x9A, 0x9B, 0x9C, 0x9D, 0x9F});
}
bool valid_puback_reason(uint8_t c) {  // PUBACK and PUBREC
    return one_of(c, {0x00, 0x10, 0x80, 0x83, 0x87, 0x90, 0x91, 0x97, 0x99});
}
bool valid_pubrel_reason(uint8_t c) {
    return c == 0x00 || c == 0x92;
}  // PUBREL and PUBCOMP
bool valid_suback_reason(uint8_t c) {
    return one_of(c, {0x00, 0x01, 0x02, 0x80, 0x83, 0x87, 0x8F, 0x91, 0x97, 0x9E, 0xA1, 0xA2});
}
bool valid_unsuback_reason(uint8_t c) {
    return one_of(c, {0x00, 0x11, 0x80, 0x83, 0x87, 0x8F, 0x91});
}
bool valid_disconnect_reason(uint8_t c) {
    return one_of(c, {0x00, 0x04, 0x80, 0x81, 0x82, 0x83, 0x87, 0x89, 0x8B, 0x8D,
                      0x8E, 0x8F, 0x90, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99,
                      0x9A, 0x9B, 0x9C, 0x9D, 0x9E, 0x9F, 0xA0, 0xA1, 0xA2});
}
bool valid_auth_reason(uint8_t c) {
    return c == 0x00 || c == 0x18 || c == 0x19;
}

constexpr DecodeError kPacketIdZero =
    protocol_error("Packet Identifier must be non-zero [MQTT-2.2.1-3]");
constexpr DecodeError kTrailingBytes = malformed("packet has bytes after its payload");

DecodeResult read_packet_id(ByteReader& r, uint16_t& packet_id) {
    if (!r.read_u16(packet_id)) return malformed("Packet Identifier missing");
    if (packet_id == 0) return kPacketIdZero;
    return std::nullopt;
}

DecodeResult decode_connack(std::span<const uint8_t> body, ProtocolVersion version, Connack& out) {
    ByteReader r(body);
    uint8_t flags;
    if (!r.read_u8(flags) || !r.read_u8(out.reason_code)) return malformed("CONNACK too short");
    if (version == ProtocolVersion::V31) {
        // 3.1: the first byte is reserved ("topic name compression"); no session present.
        out.session_present = false;
    } else {
        if (flags & 0xFE) return malformed("CONNACK reserved flags set [MQTT-3.2.2-1]");
        out.session_present = flags & 0x01;
    }
    if (version != ProtocolVersion::V5) {
        if (out.reason_code > 5) return malformed("CONNACK return code is reserved");
        return r.empty() ? DecodeResult{} : kTrailingBytes;
    }
    if (!valid_connack_reason(out.reason_code)) {
        return protocol_error("CONNACK reason code not allowed");
    }
    // A v5 CONNACK always has a property length; tolerate its absence, as a server that
    // refuses an unknown protocol level may answer in the 3.1.1 form.
    if (r.empty()) return std::nullopt;
    if (auto error = read_properties(r, kConnackProperties, out.properties)) return error;
    return r.empty() ? DecodeResult{} : kTrailingBytes;
}

// PUBACK, PUBREC, PUBREL, PUBCOMP: a packet id, then in v5 an optional reason code and
// optional properties (Remaining Length 2: Success and no properties; 3: no properties).
template <PacketType Type>
DecodeResult decode_publish_response(std::span<const uint8_t> body, ProtocolVersion version,
                                     PublishResponse<Type>& out, const DecodeLimits& limits) {
    ByteReader r(body);
    if (auto error = read_packet_id(r, out.packet_id)) return error;
    if (version != ProtocolVersion::V5 || r.empty()) {
        return r.empty() ? DecodeResult{} : kTrailingBytes;
    }
    uint8_t reason;
    r.read_u8(reason);
    const bool valid = (Type == PacketType::PubAck || Type == PacketType::PubRec)
                           ? valid_puback_reason(reason)
                           : valid_pubrel_reason(reason);
    if (!valid) return protocol_error("reason code not allowed in this acknowledgement");
    out.reason_code = static_cast<ReasonCode>(reason);
    if (r.empty()) return std::nullopt;
    if (auto error = read_properties(r, kAckProperties, out.properties, limits)) return error;
    return r.empty() ? DecodeResult{} : kTrailingBytes;
}

DecodeResult decode_subscribe(std::span<const uint8_t> body, ProtocolVersion version,
                              Subscribe& out, const DecodeLimits& limits) {
    const bool v5 = version == ProtocolVersion::V5;
    ByteReader r(body);
    if (auto error = read_packet_id(r, out.packet_id)) return error;
    if (v5) {
        if (auto error = read_properties(r, kSubscribeProperties, out.properties, limits)) {
            return error;
        }
    }
    if (r.empty()) {
        return protocol_error("SUBSCRIBE without topic filters [MQTT-3.8.3-3]");
    }
    while (!r.empty()) {
        SubscribeTopic topic;
        if (!r.read_utf8(topic.filter)) {
            return malformed("Topic Filter missing or not valid UTF-8 [MQTT-3.8.3-1]");
        }
        if (topic.filter.empty()) return malformed("empty Topic Filter [MQTT-4.7.3-1]");
        uint8_t options;
        if (!r.read_u8(options)) return malformed("Subscription Options missing");
        if (options & (v5 ? 0xC0 : 0xFC)) {
            // [MQTT-3.8.3-5] in v5, [MQTT-3-8.3-4] in 3.1.1
            return malformed("reserved bits of Subscription Options set");
        }
        if ((options & 0x03) == 3) return malformed("Subscription QoS 3");
        topic.options.qos = static_cast<QoS>(options & 0x03);
        if (v5) {
            topic.options.no_local = options & 0x04;
            topic.options.retain_as_published = options & 0x08;
            topic.options.retain_handling = (options >> 4) & 0x03;
            if (topic.options.retain_handling == 3) {
                return protocol_error("Retain Handling 3");
            }
            if (topic.options.no_local && topic.filter.starts_with("$share/")) {
                return protocol_error("No Local on a Shared Subscription [MQTT-3.8.3-4]");
            }
        }
        out.topics.push_back(topic);
    }
    return std::nullopt;
}

DecodeResult decode_suback(std::span<const uint8_t> body, ProtocolVersion version, Suback& out) {
    const bool v5 = version == ProtocolVersion::V5;
    ByteReader r(body);
    if (auto error = read_packet_id(r, out.packet_id)) return error;
    if (v5) {
        if (auto error = read_properties(r, kAckProperties, out.properties)) return error;
    }
    if (r.empty()) return protocol_error("SUBACK without return codes");
    while (!r.empty()) {
        uint8_t code;
        r.read_u8(code);
        if (v5 ? !valid_suback_reason(code) : (code > 2 && code != kSubackFailure)) {
            return protocol_error("SUBACK return code not allowed");
        }
        out.reason_codes.push_back(code);
    }
    return std::nullopt;
}

DecodeResult decode_unsubscribe(std::span<const uint8_t> body, ProtocolVersion version,
                                Unsubscribe& out, const DecodeLimits& limits) {
    ByteReader r(body);
    if (auto error = read_packet_id(r, out.packet_id)) return error;
    if (version == ProtocolVersion::V5) {
        if (auto error = read_properties(r, kUnsubscribeProperties, out.properties, limits)) {
            return error;
        }
    }
    if (r.empty()) {
        return protocol_error("UNSUBSCRIBE without topic filters [MQTT-3.10.3-2]");
    }
    while (!r.empty()) {
        std::string_view filter;
        if (!r.read_utf8(filter)) {
            return malformed("Topic Filter missing or not valid UTF-8 [MQTT-3.10.3-1]");
        }
        if (filter.empty()) return malformed("empty Topic Filter [MQTT-4.7.3-1]");
        out.topic_filters.push_back(filter);
    }
    return std::nullopt;
}

DecodeResult decode_unsuback(std::span<const uint8_t> body, ProtocolVersion version,
                             Unsuback& out) {
    ByteReader r(body);
    if (auto error = read_packet_id(r, out.packet_id)) return error;
    if (version != ProtocolVersion::V5) return r.empty() ? DecodeResult{} : kTrailingBytes;
    if (auto error = read_properties(r, kAckProperties, out.properties)) return error;
    if (r.empty()) return protocol_error("UNSUBACK without reason codes");
    while (!r.empty()) {
        uint8_t code;
        r.read_u8(code);
        if (!valid_unsuback_reason(code)) return protocol_error("UNSUBACK reason not allowed");
        out.reason_codes.push_back(code);
    }
    return std::nullopt;
}

DecodeResult decode_empty(std::span<const uint8_t> body) {
    return body.empty() ? DecodeResult{} : malformed("packet must have no body");
}

// DISCONNECT and AUTH in v5: Remaining Length 0 means Success/Normal disconnection; the
// property length may be omitted when the Remaining Length is below 2.
template <typename T>
DecodeResult decode_reason_and_properties(std::span<const uint8_t> body, bool (*valid)(uint8_t),
                                          detail::PropertySet allowed, T& out,
                                          const DecodeLimits& limits) {
    ByteReader r(body);
    if (r.empty()) return std::nullopt;
    uint8_t reason;
    r.read_u8(reason);
    if (!valid(reason)) return protocol_error("reason code not allowed in this packet");
    out.reason_code = static_cast<ReasonCode>(reason);
    if (r.empty()) return std::nullopt;
    if (auto error = read_properties(r, allowed, out.properties, limits)) return error;
    return r.empty() ? DecodeResult{} : kTrailingBytes;
}

template <typename T>
T& reset(Packet& out) {
    // Reuse the alternative already there (and its vectors' capacity) when the type matches.
    if (auto* same = std::get_if<T>(&out)) {
        same->properties.clear();
        return *same;
    }
    return out.emplace<T>();
}

}  // namespace

DecodeResult decode_publish(const FixedHeader& header, std::span<const uint8_t> body,
                            ProtocolVersion version, Publish& out, const DecodeLimits& limits) {
    out.dup = header.flags & 0x08;
    out.qos = static_cast<QoS>(header.publish_qos());
    out.retain = header.flags & 0x01;
    out.packet_id = 0;
    out.properties.clear();

    ByteReader r(body);
    if (!r.read_utf8(out.topic)) {
        return malformed("PUBLISH Topic Name missing or not valid UTF-8 [MQTT-3.3.2-1]");
    }
    if (out.qos != QoS::AtMostOnce) {
        if (auto error = read_packet_id(r, out.packet_id)) return error;
    }
    if (version == ProtocolVersion::V5) {
        if (auto error = read_properties(r, kPublishProperties, out.properties, limits)) {
            return error;
        }
    }
    if (out.topic.empty()) {
        if (version != ProtocolVersion::V5) return malformed("empty Topic Name [MQTT-4.7.3-1]");
        if (!out.properties.topic_alias) {
            return protocol_error("empty Topic Name without Topic Alias [MQTT-3.3.2-1]");
        }
    } else if (!validate_topic_name(out.topic)) {
        return DecodeError{ReasonCode::TopicNameInvalid,
                           "Topic Name contains wildcards [MQTT-3.3.2-2]"};
    }
    out.payload = r.read_rest();
    return std::nullopt;
}

DecodeResult decode_packet(const FixedHeader& header, std::span<const uint8_t> body,
                           ProtocolVersion version, Packet& out, const DecodeLimits& limits) {
    if (body.size() != header.remaining_length) {
        return malformed("body size differs from the Remaining Length");
    }
    switch (header.type) {
        case PacketType::Connect:
            return decode_connect(header, body, reset<Connect>(out), limits);
        case PacketType::Connack:
            return decode_connack(body, version, reset<Connack>(out));
        case PacketType::Publish:
            return decode_publish(header, body, version, reset<Publish>(out), limits);
        case PacketType::PubAck:
            return decode_publish_response(body, version, out.emplace<PubAck>(), limits);
        case PacketType::PubRec:
            return decode_publish_response(body, version, out.emplace<PubRec>(), limits);
        case PacketType::PubRel:
            return decode_publish_response(body, version, out.emplace<PubRel>(), limits);
        case PacketType::PubComp:
            return decode_publish_response(body, version, out.emplace<PubComp>(), limits);
        case PacketType::Subscribe:
            return decode_subscribe(body, version, out.emplace<Subscribe>(), limits);
        case PacketType::Suback:
            return decode_suback(body, version, out.emplace<Suback>());
        case PacketType::Unsubscribe:
            return decode_unsubscribe(body, version, out.emplace<Unsubscribe>(), limits);
        case PacketType::Unsuback:
            return decode_unsuback(body, version, out.emplace<Unsuback>());
        case PacketType::Pingreq:
            out.emplace<Pingreq>();
            return decode_empty(body);
        case PacketType::Pingresp:
            out.emplace<Pingresp>();
            return decode_empty(body);
        case PacketType::Disconnect: {
            auto& disconnect = out.emplace<Disconnect>();
            if (version != ProtocolVersion::V5) return decode_empty(body);
            return decode_reason_and_properties(body, valid_disconnect_reason,
                                                kDisconnectProperties, disconnect, limits);
        }
        case PacketType::Auth: {
            auto& auth = out.emplace<Auth>();
            if (version != ProtocolVersion::V5) {
                return malformed("AUTH exists only in MQTT 5 (reserved type 15)");
            }
            return decode_reason_and_properties(body, valid_auth_reason, kAuthProperties, auth,
                                                limits);
        }
    }
    return malformed("reserved packet type");
}

}  // namespace akasa::mqtt
