// The fixed header (spec 2.1): type and flags, then the Remaining Length.
#include "mqtt/decoder.h"
#include "mqtt/varint.h"

namespace akasa::mqtt {

namespace {

HeaderResult error(ReasonCode reason, const char* message) {
    HeaderResult result;
    result.status = HeaderStatus::Error;
    result.error = {reason, message};
    return result;
}

// [MQTT-2.2.2-1] (v5) / [MQTT-2.2.2-2] (3.1.1): reserved flags must be as the spec lists them.
// MQTT 3.1 let clients set DUP on a resent PUBREL, SUBSCRIBE or UNSUBSCRIBE (their QoS 1
// framing); 3.1.1 made those flags fixed, so only a 3.1 connection may send 1010.
const char* check_flags(PacketType type, uint8_t flags, bool v31) {
    switch (type) {
        case PacketType::Publish: {
            const uint8_t qos = (flags >> 1) & 0x03;
            if (qos == 3) return "PUBLISH with QoS 3 [MQTT-3.3.1-4]";
            if (qos == 0 && (flags & 0x08)) return "PUBLISH with DUP set at QoS 0 [MQTT-3.3.1-2]";
            return nullptr;
        }
        case PacketType::PubRel:
        case PacketType::Subscribe:
        case PacketType::Unsubscribe:
            // [MQTT-3.6.1-1] [MQTT-3.8.1-1] [MQTT-3.10.1-1]
            if (flags == 0x02 || (v31 && flags == 0x0A)) return nullptr;
            return "reserved fixed header flags must be 0010";
        default:
            return flags == 0 ? nullptr : "reserved fixed header flags must be 0";
    }
}

}  // namespace

HeaderResult decode_fixed_header(std::span<const uint8_t> data, uint32_t max_packet_size,
                                 bool mqtt31) {
    HeaderResult result;
    if (data.empty()) return result;
    const uint8_t type = data[0] >> 4;
    if (type == 0) return error(ReasonCode::MalformedPacket, "reserved packet type 0");
    const uint8_t flags = data[0] & 0x0F;
    if (const char* problem = check_flags(static_cast<PacketType>(type), flags, mqtt31)) {
        return error(ReasonCode::MalformedPacket, problem);
    }
    const VarintResult length = decode_varint(data.subspan(1));
    if (length.status == VarintStatus::NeedMore) return result;
    if (length.status == VarintStatus::Malformed) {
        return error(ReasonCode::MalformedPacket,
                     "Remaining Length longer than 4 bytes or not in minimal form");
    }
    const uint64_t packet_size = uint64_t{1} + length.size + length.value;
    if (packet_size > max_packet_size) {
        return error(ReasonCode::PacketTooLarge, "packet larger than the maximum packet size");
    }
    result.status = HeaderStatus::Complete;
    result.header.type = static_cast<PacketType>(type);
    result.header.flags = flags;
    result.header.remaining_length = length.value;
    result.header.header_size = static_cast<uint8_t>(1 + length.size);
    return result;
}

}  // namespace akasa::mqtt
