#include "mqtt/encoder.h"

#include "mqtt/byte_writer.h"
#include "mqtt/property_codec.h"
#include "mqtt/varint.h"

namespace akasa::mqtt {

using detail::ByteWriter;
using detail::string_size;
using detail::write_properties;

namespace {

constexpr uint8_t first_byte(PacketType type, uint8_t flags = 0) {
    return static_cast<uint8_t>((static_cast<uint8_t>(type) << 4) | flags);
}

bool is_v5(ProtocolVersion version) {
    return version == ProtocolVersion::V5;
}

// Size of a property block with its length prefix.
size_t block_size(size_t props) {
    return varint_size(static_cast<uint32_t>(props)) + props;
}

// Resizes `out` for the whole packet (but its last `omitted` bytes, which the caller sends
// from elsewhere), writes the fixed header and returns a writer positioned at the body. One
// allocation at most per packet.
ByteWriter begin_packet(std::vector<uint8_t>& out, uint8_t first, size_t body_size,
                        size_t omitted = 0) {
    const auto remaining = static_cast<uint32_t>(body_size);
    const size_t start = out.size();
    out.resize(start + 1 + varint_size(remaining) + body_size - omitted);
    ByteWriter writer(out.data() + start);
    writer.u8(first);
    writer.varint(remaining);
    return writer;
}

std::string_view protocol_name(ProtocolVersion version) {
    return version == ProtocolVersion::V31 ? "MQIsdp" : "MQTT";
}

// A packet id, then in v5 the optional reason code and properties of PUBACK..PUBCOMP.
template <PacketType Type>
void encode_publish_response(const PublishResponse<Type>& packet, ProtocolVersion version,
                             std::vector<uint8_t>& out) {
    const uint8_t flags = Type == PacketType::PubRel ? 0x02 : 0x00;
    const size_t props = is_v5(version) ? properties_size(packet.properties) : 0;
    size_t body = 2;
    if (is_v5(version) && (packet.reason_code != ReasonCode::Success || props > 0)) {
        body += 1 + (props > 0 ? block_size(props) : 0);
    }
    ByteWriter w = begin_packet(out, first_byte(Type, flags), body);
    w.u16(packet.packet_id);
    if (body > 2) w.u8(static_cast<uint8_t>(packet.reason_code));
    if (props > 0) write_properties(w, packet.properties, props);
}

size_t publish_body_size(const Publish& packet, ProtocolVersion version, size_t props) {
    size_t body = string_size(packet.topic) + packet.payload.size();
    if (packet.qos != QoS::AtMostOnce) body += 2;
    if (is_v5(version)) body += block_size(props);
    return body;
}

}  // namespace

void encode(const Connect& packet, std::vector<uint8_t>& out) {
    const ProtocolVersion version = packet.version;
    const bool v5 = is_v5(version);
    const size_t props = v5 ? properties_size(packet.properties) : 0;
    const size_t will_props = v5 && packet.will ? properties_size(packet.will->properties) : 0;
    size_t body = string_size(protocol_name(version)) + 1 + 1 + 2 + string_size(packet.client_id);
    if (v5) body += block_size(props);
    if (packet.will) {
        body += string_size(packet.will->topic) + string_size(packet.will->payload);
        if (v5) body += block_size(will_props);
    }
    if (packet.username) body += string_size(*packet.username);
    if (packet.password) body += string_size(*packet.password);

    uint8_t flags = 0;
    if (packet.clean_start) flags |= 0x02;
    if (packet.will) {
        flags |= 0x04 | static_cast<uint8_t>(static_cast<uint8_t>(packet.will->qos) << 3);
        if (packet.will->retain) flags |= 0x20;
    }
    if (packet.password) flags |= 0x40;
    if (packet.username) flags |= 0x80;

    ByteWriter w = begin_packet(out, first_byte(PacketType::Connect), body);
    w.string(protocol_name(version));
    w.u8(static_cast<uint8_t>(version));
    w.u8(flags);
    w.u16(packet.keep_alive);
    if (v5) write_properties(w, packet.properties, props);
    w.string(packet.client_id);
    if (packet.will) {
        if (v5) write_properties(w, packet.will->properties, will_props);
        w.string(packet.will->topic);
        w.string(packet.will->payload);
    }
    if (packet.username) w.string(*packet.username);
    if (packet.password) w.string(*packet.password);
}

void encode(const Connect& packet, ProtocolVersion, std::vector<uint8_t>& out) {
    encode(packet, out);
}

void encode(const Connack& packet, ProtocolVersion version, std::vector<uint8_t>& out) {
    const size_t props = is_v5(version) ? properties_size(packet.properties) : 0;
    const size_t body = 2 + (is_v5(version) ? block_size(props) : 0);
    ByteWriter w = begin_packet(out, first_byte(PacketType::Connack), body);
    w.u8(packet.session_present && version != ProtocolVersion::V31 ? 0x01 : 0x00);
    w.u8(packet.reason_code);
    if (is_v5(version)) write_properties(w, packet.properties, props);
}

namespace {

// A PUBLISH, or all of it but the payload bytes (its Remaining Length counts them anyway).
void encode_publish(const Publish& packet, ProtocolVersion version, std::vector<uint8_t>& out,
                    bool with_payload) {
    const size_t props = is_v5(version) ? properties_size(packet.properties) : 0;
    const uint8_t flags =
        static_cast<uint8_t>((packet.dup ? 0x08 : 0) | (static_cast<uint8_t>(packet.qos) << 1) |
                             (packet.retain ? 0x01 : 0));
    ByteWriter w = begin_packet(out, first_byte(PacketType::Publish, flags),
                                publish_body_size(packet, version, props),
                                with_payload ? 0 : packet.payload.size());
    w.string(packet.topic);
    if (packet.qos != QoS::AtMostOnce) w.u16(packet.packet_id);
    if (is_v5(version)) write_properties(w, packet.properties, props);
    if (with_payload) w.raw(packet.payload);
}

}  // namespace

void encode(const Publish& packet, ProtocolVersion version, std::vector<uint8_t>& out) {
    encode_publish(packet, version, out, true);
}

void encode_publish_head(const Publish& packet, ProtocolVersion version,
                         std::vector<uint8_t>& out) {
    encode_publish(packet, version, out, false);
}

void encode(const PubAck& packet, ProtocolVersion version, std::vector<uint8_t>& out) {
    encode_publish_response(packet, version, out);
}
void encode(const PubRec& packet, ProtocolVersion version, std::vector<uint8_t>& out) {
    encode_publish_response(packet, version, out);
}
void encode(const PubRel& packet, ProtocolVersion version, std::vector<uint8_t>& out) {
    encode_publish_response(packet, version, out);
}
void encode(const PubComp& packet, ProtocolVersion version, std::vector<uint8_t>& out) {
    encode_publish_response(packet, version, out);
}

void encode(const Subscribe& packet, ProtocolVersion version, std::vector<uint8_t>& out) {
    const bool v5 = is_v5(version);
    const size_t props = v5 ? properties_size(packet.properties) : 0;
    size_t body = 2 + (v5 ? block_size(props) : 0);
    for (const auto& topic : packet.topics)
        body += string_size(topic.filter) + 1;
    ByteWriter w = begin_packet(out, first_byte(PacketType::Subscribe, 0x02), body);
    w.u16(packet.packet_id);
    if (v5) write_properties(w, packet.properties, props);
    for (const auto& topic : packet.topics) {
        w.string(topic.filter);
        uint8_t options = static_cast<uint8_t>(topic.options.qos);
        if (v5) {
            if (topic.options.no_local) options |= 0x04;
            if (topic.options.retain_as_published) options |= 0x08;
            options |= static_cast<uint8_t>((topic.options.retain_handling & 0x03) << 4);
        }
        w.u8(options);
    }
}

void encode(const Suback& packet, ProtocolVersion version, std::vector<uint8_t>& out) {
    const bool v5 = is_v5(version);
    const size_t props = v5 ? properties_size(packet.properties) : 0;
    const size_t body = 2 + (v5 ? block_size(props) : 0) + packet.reason_codes.size();
    ByteWriter w = begin_packet(out, first_byte(PacketType::Suback), body);
    w.u16(packet.packet_id);
    if (v5) write_properties(w, packet.properties, props);
    for (uint8_t code : packet.reason_codes)
        w.u8(code);
}

void encode(const Unsubscribe& packet, ProtocolVersion version, std::vector<uint8_t>& out) {
    const bool v5 = is_v5(version);
    const size_t props = v5 ? properties_size(packet.properties) : 0;
    size_t body = 2 + (v5 ? block_size(props) : 0);
    for (auto filter : packet.topic_filters)
        body += string_size(filter);
    ByteWriter w = begin_packet(out, first_byte(PacketType::Unsubscribe, 0x02), body);
    w.u16(packet.packet_id);
    if (v5) write_properties(w, packet.properties, props);
    for (auto filter : packet.topic_filters)
        w.string(filter);
}

void encode(const Unsuback& packet, ProtocolVersion version, std::vector<uint8_t>& out) {
    const bool v5 = is_v5(version);
    const size_t props = v5 ? properties_size(packet.properties) : 0;
    const size_t body = 2 + (v5 ? block_size(props) + packet.reason_codes.size() : 0);
    ByteWriter w = begin_packet(out, first_byte(PacketType::Unsuback), body);
    w.u16(packet.packet_id);
    if (!v5) return;
    write_properties(w, packet.properties, props);
    for (uint8_t code : packet.reason_codes)
        w.u8(code);
}

void encode(const Pingreq&, ProtocolVersion, std::vector<uint8_t>& out) {
    begin_packet(out, first_byte(PacketType::Pingreq), 0);
}

void encode(const Pingresp&, ProtocolVersion, std::vector<uint8_t>& out) {
    begin_packet(out, first_byte(PacketType::Pingresp), 0);
}

void encode(const Disconnect& packet, ProtocolVersion version, std::vector<uint8_t>& out) {
    const size_t props = is_v5(version) ? properties_size(packet.properties) : 0;
    size_t body = 0;
    if (is_v5(version) && (packet.reason_code != ReasonCode::Success || props > 0)) {
        body = 1 + (props > 0 ? block_size(props) : 0);
    }
    ByteWriter w = begin_packet(out, first_byte(PacketType::Disconnect), body);
    if (body > 0) w.u8(static_cast<uint8_t>(packet.reason_code));
    if (props > 0) write_properties(w, packet.properties, props);
}

void encode(const Auth& packet, ProtocolVersion, std::vector<uint8_t>& out) {
    // The reason code and property length are omitted together or not at all.
    const size_t props = properties_size(packet.properties);
    const bool short_form = packet.reason_code == ReasonCode::Success && props == 0;
    const size_t body = short_form ? 0 : 1 + block_size(props);
    ByteWriter w = begin_packet(out, first_byte(PacketType::Auth), body);
    if (short_form) return;
    w.u8(static_cast<uint8_t>(packet.reason_code));
    write_properties(w, packet.properties, props);
}

void encode(const Packet& packet, ProtocolVersion version, std::vector<uint8_t>& out) {
    std::visit([&](const auto& p) { encode(p, version, out); }, packet);
}

size_t encoded_size(const Publish& packet, ProtocolVersion version) {
    const size_t props = is_v5(version) ? properties_size(packet.properties) : 0;
    const size_t body = publish_body_size(packet, version, props);
    return 1 + varint_size(static_cast<uint32_t>(body)) + body;
}

size_t encoded_size(const Packet& packet, ProtocolVersion version) {
    if (const auto* publish = std::get_if<Publish>(&packet)) return encoded_size(*publish, version);
    // Rare packets: measure by encoding into scratch space.
    std::vector<uint8_t> scratch;
    encode(packet, version, scratch);
    return scratch.size();
}

}  // namespace akasa::mqtt
