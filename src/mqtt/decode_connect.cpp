// CONNECT (3.1.1 section 3.1, 5.0 section 3.1).
#include "mqtt/byte_reader.h"
#include "mqtt/decode_errors.h"
#include "mqtt/decoder.h"
#include "mqtt/property_codec.h"
#include "mqtt/topic.h"

namespace akasa::mqtt {

using namespace detail;

namespace {

bool is_supported(std::string_view name, uint8_t level) {
    return (name == "MQTT" && (level == 4 || level == 5)) || (name == "MQIsdp" && level == 3);
}

DecodeResult decode_will(ByteReader& r, bool v5, Will& will, const DecodeLimits& limits) {
    if (v5) {
        if (auto error = read_properties(r, kWillProperties, will.properties, limits)) {
            return error;
        }
    }
    if (!r.read_utf8(will.topic)) return malformed("Will Topic missing or not valid UTF-8");
    if (!validate_topic_name(will.topic)) {
        return DecodeError{ReasonCode::TopicNameInvalid,
                           "Will Topic is empty or contains wildcards [MQTT-3.1.3-11]"};
    }
    if (!r.read_binary(will.payload)) return malformed("Will Payload missing");
    return std::nullopt;
}

}  // namespace

DecodeResult decode_connect(const FixedHeader&, std::span<const uint8_t> body, Connect& out,
                            const DecodeLimits& limits) {
    out = Connect{};
    ByteReader r(body);
    if (!r.read_binary(out.protocol_name)) return malformed("CONNECT protocol name missing");
    uint8_t level;
    if (!r.read_u8(level)) return malformed("CONNECT protocol level missing");
    out.version = static_cast<ProtocolVersion>(level);
    if (!is_supported(out.protocol_name, level)) {
        return DecodeError{ReasonCode::UnsupportedProtocolVersion,
                           "unsupported protocol name or level [MQTT-3.1.2-2]"};
    }
    const bool v5 = out.version == ProtocolVersion::V5;

    uint8_t flags;
    if (!r.read_u8(flags)) return malformed("CONNECT flags missing");
    if (flags & 0x01) return malformed("CONNECT reserved flag is set [MQTT-3.1.2-3]");
    out.clean_start = flags & 0x02;
    const bool will_flag = flags & 0x04;
    const uint8_t will_qos = (flags >> 3) & 0x03;
    const bool will_retain = flags & 0x20;
    const bool password_flag = flags & 0x40;
    const bool username_flag = flags & 0x80;
    if (!will_flag && will_qos != 0) {
        return malformed("Will QoS set without Will Flag [MQTT-3.1.2-11]");
    }
    if (!will_flag && will_retain) {
        return malformed("Will Retain set without Will Flag [MQTT-3.1.2-13]");
    }
    if (will_qos == 3) return malformed("Will QoS 3 [MQTT-3.1.2-12]");
    if (password_flag && !username_flag && !v5) {
        return malformed("Password Flag set without User Name Flag [MQTT-3.1.2-22]");
    }
    if (!r.read_u16(out.keep_alive)) return malformed("CONNECT Keep Alive missing");
    if (v5) {
        if (auto error = read_properties(r, kConnectProperties, out.properties, limits)) {
            return error;
        }
    }

    if (!r.read_utf8(out.client_id)) {
        return malformed("Client Identifier missing or not valid UTF-8 [MQTT-3.1.3-4]");
    }
    if (will_flag) {
        Will& will = out.will.emplace();
        will.qos = static_cast<QoS>(will_qos);
        will.retain = will_retain;
        if (auto error = decode_will(r, v5, will, limits)) return error;
    }
    if (username_flag) {
        if (!r.read_utf8(out.username.emplace())) {
            return malformed("User Name missing or not valid UTF-8 [MQTT-3.1.3-12]");
        }
    }
    if (password_flag) {
        if (!r.read_binary(out.password.emplace())) return malformed("Password missing");
    }
    if (!r.empty()) return malformed("CONNECT has bytes after its payload");
    return std::nullopt;
}

}  // namespace akasa::mqtt
