// The load tool's use of the project's MQTT codec (src/mqtt): control packets are encoded
// with mqtt::encode as they are needed; packets sent per message (PUBLISH and the QoS
// acknowledgements) are encoded once into a template whose packet id and payload are
// patched in place, so the send path is a memcpy and a few stores.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "mqtt/packets.h"
#include "mqtt/types.h"
#include "net/byte_buffer.h"

namespace akasa::bench {

// The load tool shares the server's byte queue (src/net/byte_buffer.h).
using net::ByteBuffer;

// One encoded packet with the positions of its variable fields.
class PacketTemplate {
  public:
    static constexpr std::size_t kNone = SIZE_MAX;

    PacketTemplate() = default;
    PacketTemplate(std::vector<std::uint8_t> bytes, std::size_t packet_id_offset,
                   std::size_t payload_offset)
        : bytes_(std::move(bytes)),
          packet_id_offset_(packet_id_offset),
          payload_offset_(payload_offset) {}

    std::size_t size() const { return bytes_.size(); }

    // Appends a copy with `packet_id` patched in (when the packet has one) and returns where
    // its payload starts inside `out` (nullptr without a payload). The pointer is valid until
    // `out` grows again.
    std::uint8_t* append_to(ByteBuffer& out, std::uint16_t packet_id = 0) const {
        std::uint8_t* at = out.prepare(bytes_.size());
        std::memcpy(at, bytes_.data(), bytes_.size());
        if (packet_id_offset_ != kNone) {
            at[packet_id_offset_] = static_cast<std::uint8_t>(packet_id >> 8);
            at[packet_id_offset_ + 1] = static_cast<std::uint8_t>(packet_id);
        }
        out.commit(bytes_.size());
        return payload_offset_ == kNone ? nullptr : at + payload_offset_;
    }

  private:
    std::vector<std::uint8_t> bytes_;
    std::size_t packet_id_offset_ = kNone;
    std::size_t payload_offset_ = kNone;
};

struct PublishTemplateSpec {
    std::string topic;
    mqtt::QoS qos = mqtt::QoS::AtMostOnce;
    std::size_t payload_size = 0;
};

// The packets the tool sends, for one protocol version.
class WireEncoder {
  public:
    explicit WireEncoder(mqtt::ProtocolVersion version);

    mqtt::ProtocolVersion version() const { return version_; }

    PacketTemplate publish(const PublishTemplateSpec& spec) const;
    const PacketTemplate& puback() const { return puback_; }
    const PacketTemplate& pubrec() const { return pubrec_; }
    const PacketTemplate& pubrel() const { return pubrel_; }
    const PacketTemplate& pubcomp() const { return pubcomp_; }

    // `session_expiry_s` is sent in v5 only (3.1.1 sessions without clean session persist).
    void append_connect(ByteBuffer& out, std::string_view client_id, bool clean_start,
                        std::uint16_t keep_alive_s, std::uint32_t session_expiry_s) const;
    void append_subscribe(ByteBuffer& out, std::uint16_t packet_id, std::string_view filter,
                          mqtt::QoS qos) const;
    void append_pingreq(ByteBuffer& out) const;
    void append_disconnect(ByteBuffer& out) const;

  private:
    template <typename Packet>
    PacketTemplate make_template(Packet packet, std::size_t payload_size) const;
    void append(ByteBuffer& out, const mqtt::Packet& packet) const;

    mqtt::ProtocolVersion version_;
    PacketTemplate puback_, pubrec_, pubrel_, pubcomp_;
};

}  // namespace akasa::bench
