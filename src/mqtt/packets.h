// The 15 MQTT control packets as plain structs, one per packet type, for 3.1, 3.1.1 and 5.0.
//
// Contract: every std::string_view (and every view inside Properties) points INTO the buffer
// the packet was decoded from (or into caller-owned storage when the caller builds a packet to
// encode). That buffer must outlive the packet: the engine copies whatever it keeps beyond the
// current read. Binary fields (will payload, password, PUBLISH payload) are views too.
// Fields that do not exist in a version stay at their defaults (e.g. Properties are empty and
// SubscriptionOptions carry only the QoS in 3.x). Packets compare with == (by value of the
// viewed bytes), which the round-trip tests and the fuzzer rely on.
//
//   Publish p;
//   p.topic = "sensors/7/temp";
//   p.qos = QoS::AtLeastOnce;
//   p.packet_id = 12;
//   p.payload = "21.5";
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <variant>
#include <vector>

#include "mqtt/properties.h"
#include "mqtt/types.h"

namespace akasa::mqtt {

struct Will {
    std::string_view topic;
    std::string_view payload;  // binary data
    QoS qos = QoS::AtMostOnce;
    bool retain = false;
    Properties properties;  // v5 Will Properties (spec 3.1.3.2)

    bool operator==(const Will&) const = default;
};

struct Connect {
    ProtocolVersion version = ProtocolVersion::V311;
    // As received ("MQTT" or "MQIsdp"). The encoder always writes the name of `version`.
    std::string_view protocol_name;
    bool clean_start = true;  // "Clean Session" in 3.x
    uint16_t keep_alive = 0;  // seconds
    std::string_view client_id;
    std::optional<Will> will;
    std::optional<std::string_view> username;
    std::optional<std::string_view> password;  // binary data
    Properties properties;

    bool operator==(const Connect&) const = default;
};

struct Connack {
    bool session_present = false;  // always false in 3.1 (the byte is reserved there)
    // A v5 ReasonCode, or a 3.x ConnectReturnCode (see to_connect_return_code in types.h).
    uint8_t reason_code = 0;
    Properties properties;

    bool operator==(const Connack&) const = default;
};

struct Publish {
    bool dup = false;
    QoS qos = QoS::AtMostOnce;
    bool retain = false;
    // Empty only in v5 when properties.topic_alias is set (the engine resolves the alias).
    std::string_view topic;
    uint16_t packet_id = 0;  // only meaningful (and non-zero) for QoS 1 and 2
    std::string_view payload;
    Properties properties;

    bool operator==(const Publish&) const = default;
};

// PUBACK, PUBREC, PUBREL and PUBCOMP share one shape; the type parameter keeps them distinct
// types in the Packet variant. reason_code is always Success in 3.x.
template <PacketType Type>
struct PublishResponse {
    static constexpr PacketType kType = Type;
    uint16_t packet_id = 0;
    ReasonCode reason_code = ReasonCode::Success;
    Properties properties;

    bool operator==(const PublishResponse&) const = default;
};
using PubAck = PublishResponse<PacketType::PubAck>;
using PubRec = PublishResponse<PacketType::PubRec>;
using PubRel = PublishResponse<PacketType::PubRel>;
using PubComp = PublishResponse<PacketType::PubComp>;

struct SubscriptionOptions {
    QoS qos = QoS::AtMostOnce;
    bool no_local = false;             // v5 only
    bool retain_as_published = false;  // v5 only
    uint8_t retain_handling = 0;       // v5 only: 0 send at subscribe, 1 only if new, 2 never

    bool operator==(const SubscriptionOptions&) const = default;
};

struct SubscribeTopic {
    // Decoded as a well-formed, non-empty UTF-8 string. Wildcard placement and `$share`
    // syntax are NOT checked by the decoder: call validate_topic_filter (topic.h) per topic
    // so one bad filter can be refused in SUBACK (0x8F / 0x80) without dropping the client.
    std::string_view filter;
    SubscriptionOptions options;

    bool operator==(const SubscribeTopic&) const = default;
};

struct Subscribe {
    uint16_t packet_id = 0;
    std::vector<SubscribeTopic> topics;  // at least one when decoded
    Properties properties;

    bool operator==(const Subscribe&) const = default;
};

struct Suback {
    uint16_t packet_id = 0;
    // One per topic of the SUBSCRIBE: granted QoS (0..2) or a failure code
    // (0x80 in 3.x, a v5 ReasonCode in 5.0).
    std::vector<uint8_t> reason_codes;
    Properties properties;

    bool operator==(const Suback&) const = default;
};

struct Unsubscribe {
    uint16_t packet_id = 0;
    std::vector<std::string_view> topic_filters;  // at least one when decoded
    Properties properties;

    bool operator==(const Unsubscribe&) const = default;
};

struct Unsuback {
    uint16_t packet_id = 0;
    std::vector<uint8_t> reason_codes;  // v5 only (one ReasonCode per filter); empty in 3.x
    Properties properties;

    bool operator==(const Unsuback&) const = default;
};

struct Pingreq {
    bool operator==(const Pingreq&) const = default;
};

struct Pingresp {
    bool operator==(const Pingresp&) const = default;
};

struct Disconnect {
    ReasonCode reason_code = ReasonCode::NormalDisconnection;  // v5 only
    Properties properties;

    bool operator==(const Disconnect&) const = default;
};

// v5 only.
struct Auth {
    ReasonCode reason_code = ReasonCode::Success;
    Properties properties;

    bool operator==(const Auth&) const = default;
};

// Alternatives in packet-type order: `static_cast<int>(type) == packet.index() + 1`.
using Packet = std::variant<Connect, Connack, Publish, PubAck, PubRec, PubRel, PubComp, Subscribe,
                            Suback, Unsubscribe, Unsuback, Pingreq, Pingresp, Disconnect, Auth>;

inline PacketType packet_type(const Packet& packet) {
    return static_cast<PacketType>(packet.index() + 1);
}

}  // namespace akasa::mqtt
