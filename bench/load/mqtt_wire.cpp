#include "mqtt_wire.h"

#include <stdexcept>

#include "mqtt/encoder.h"

namespace akasa::bench {

// Finds the packet id by encoding the packet twice with different ids and looking for the
// two bytes that differ: it holds whatever the codec puts before the id (topic, properties).
template <typename Packet>
PacketTemplate WireEncoder::make_template(Packet packet, std::size_t payload_size) const {
    constexpr std::uint16_t kFirst = 0x0102, kSecond = 0xA3B4;
    std::vector<std::uint8_t> first, second;
    packet.packet_id = kFirst;
    mqtt::encode(packet, version_, first);
    packet.packet_id = kSecond;
    mqtt::encode(packet, version_, second);
    if (first.size() != second.size()) throw std::logic_error("packet template size differs");
    std::size_t id_offset = PacketTemplate::kNone;
    for (std::size_t i = 0; i + 1 < first.size(); ++i) {
        if (first[i] != second[i]) {
            if (first[i] != 0x01 || first[i + 1] != 0x02 || second[i] != 0xA3 ||
                second[i + 1] != 0xB4) {
                throw std::logic_error("packet id not found in packet template");
            }
            id_offset = i;
            break;
        }
    }
    const std::size_t payload_offset =
        payload_size == 0 ? PacketTemplate::kNone : first.size() - payload_size;
    return PacketTemplate(std::move(first), id_offset, payload_offset);
}

WireEncoder::WireEncoder(mqtt::ProtocolVersion version) : version_(version) {
    puback_ = make_template(mqtt::PubAck{}, 0);
    pubrec_ = make_template(mqtt::PubRec{}, 0);
    pubrel_ = make_template(mqtt::PubRel{}, 0);
    pubcomp_ = make_template(mqtt::PubComp{}, 0);
}

PacketTemplate WireEncoder::publish(const PublishTemplateSpec& spec) const {
    const std::string payload(spec.payload_size, 'x');
    mqtt::Publish publish;
    publish.topic = spec.topic;
    publish.qos = spec.qos;
    publish.payload = payload;
    if (spec.qos == mqtt::QoS::AtMostOnce) {
        std::vector<std::uint8_t> bytes;
        mqtt::encode(publish, version_, bytes);
        const std::size_t payload_offset = bytes.size() - spec.payload_size;
        return PacketTemplate(std::move(bytes), PacketTemplate::kNone, payload_offset);
    }
    return make_template(publish, spec.payload_size);
}

void WireEncoder::append(ByteBuffer& out, const mqtt::Packet& packet) const {
    std::vector<std::uint8_t> bytes;
    mqtt::encode(packet, version_, bytes);
    out.append(bytes.data(), bytes.size());
}

void WireEncoder::append_connect(ByteBuffer& out, std::string_view client_id, bool clean_start,
                                 std::uint16_t keep_alive_s, std::uint32_t session_expiry_s) const {
    mqtt::Connect connect;
    connect.version = version_;
    connect.clean_start = clean_start;
    connect.keep_alive = keep_alive_s;
    connect.client_id = client_id;
    if (version_ == mqtt::ProtocolVersion::V5 && session_expiry_s > 0) {
        connect.properties.session_expiry_interval = session_expiry_s;
    }
    append(out, connect);
}

void WireEncoder::append_subscribe(ByteBuffer& out, std::uint16_t packet_id,
                                   std::string_view filter, mqtt::QoS qos) const {
    mqtt::Subscribe subscribe;
    subscribe.packet_id = packet_id;
    subscribe.topics.push_back({.filter = filter, .options = {.qos = qos}});
    append(out, subscribe);
}

void WireEncoder::append_pingreq(ByteBuffer& out) const {
    append(out, mqtt::Pingreq{});
}

void WireEncoder::append_disconnect(ByteBuffer& out) const {
    append(out, mqtt::Disconnect{});
}

}  // namespace akasa::bench
