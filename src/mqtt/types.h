// Basic MQTT vocabulary shared by every packet: protocol versions, packet types, QoS levels,
// MQTT 5 reason codes and MQTT 3.x CONNACK return codes.
//
// Contract: plain value types, no allocation, no I/O. Every enum is a byte as on the wire;
// values received from the network are validated by the decoder before they are cast.
//
//   using namespace akasa::mqtt;
//   ReasonCode rc = ReasonCode::NotAuthorized;
//   log(to_string(rc));                                   // "Not authorized"
//   uint8_t v3_code = static_cast<uint8_t>(to_connect_return_code(rc));   // 5
#pragma once

#include <cstdint>

namespace akasa::mqtt {

// The protocol level byte of CONNECT: 3 is MQTT 3.1 ("MQIsdp"), 4 is 3.1.1, 5 is 5.0.
enum class ProtocolVersion : uint8_t { V31 = 3, V311 = 4, V5 = 5 };

// The high nibble of the first byte of the fixed header. 0 is reserved (never valid);
// Auth exists only in MQTT 5.
enum class PacketType : uint8_t {
    Connect = 1,
    Connack = 2,
    Publish = 3,
    PubAck = 4,
    PubRec = 5,
    PubRel = 6,
    PubComp = 7,
    Subscribe = 8,
    Suback = 9,
    Unsubscribe = 10,
    Unsuback = 11,
    Pingreq = 12,
    Pingresp = 13,
    Disconnect = 14,
    Auth = 15,
};

enum class QoS : uint8_t { AtMostOnce = 0, AtLeastOnce = 1, ExactlyOnce = 2 };

// Every MQTT 5 reason code (spec 2.4). Several names share a value, as in the spec:
// Success, NormalDisconnection and GrantedQoS0 are all 0x00.
enum class ReasonCode : uint8_t {
    Success = 0x00,
    NormalDisconnection = 0x00,
    GrantedQoS0 = 0x00,
    GrantedQoS1 = 0x01,
    GrantedQoS2 = 0x02,
    DisconnectWithWill = 0x04,
    NoMatchingSubscribers = 0x10,
    NoSubscriptionExisted = 0x11,
    ContinueAuthentication = 0x18,
    ReAuthenticate = 0x19,
    UnspecifiedError = 0x80,
    MalformedPacket = 0x81,
    ProtocolError = 0x82,
    ImplementationSpecificError = 0x83,
    UnsupportedProtocolVersion = 0x84,
    ClientIdentifierNotValid = 0x85,
    BadUserNameOrPassword = 0x86,
    NotAuthorized = 0x87,
    ServerUnavailable = 0x88,
    ServerBusy = 0x89,
    Banned = 0x8A,
    ServerShuttingDown = 0x8B,
    BadAuthenticationMethod = 0x8C,
    KeepAliveTimeout = 0x8D,
    SessionTakenOver = 0x8E,
    TopicFilterInvalid = 0x8F,
    TopicNameInvalid = 0x90,
    PacketIdentifierInUse = 0x91,
    PacketIdentifierNotFound = 0x92,
    ReceiveMaximumExceeded = 0x93,
    TopicAliasInvalid = 0x94,
    PacketTooLarge = 0x95,
    MessageRateTooHigh = 0x96,
    QuotaExceeded = 0x97,
    AdministrativeAction = 0x98,
    PayloadFormatInvalid = 0x99,
    RetainNotSupported = 0x9A,
    QoSNotSupported = 0x9B,
    UseAnotherServer = 0x9C,
    ServerMoved = 0x9D,
    SharedSubscriptionsNotSupported = 0x9E,
    ConnectionRateExceeded = 0x9F,
    MaximumConnectTime = 0xA0,
    SubscriptionIdentifiersNotSupported = 0xA1,
    WildcardSubscriptionsNotSupported = 0xA2,
};

// Spelled-out alias, for readers who look for a constant rather than an enumerator.
inline constexpr ReasonCode kNormalDisconnection = ReasonCode::NormalDisconnection;

// CONNACK return codes of MQTT 3.1 and 3.1.1 (3.1.1 section 3.2.2.3).
enum class ConnectReturnCode : uint8_t {
    Accepted = 0,
    UnacceptableProtocolVersion = 1,
    IdentifierRejected = 2,
    ServerUnavailable = 3,
    BadUserNameOrPassword = 4,
    NotAuthorized = 5,
};

// SUBACK return code of MQTT 3.1.1 for a refused subscription (granted QoS is 0..2).
inline constexpr uint8_t kSubackFailure = 0x80;

// The spec's name of a reason code ("Malformed Packet"); "Unknown reason code" for values
// that are not reason codes. Success/NormalDisconnection/GrantedQoS0 all give "Success".
const char* to_string(ReasonCode code);
const char* to_string(PacketType type);
const char* to_string(ConnectReturnCode code);

// An error reason (>= 0x80) as opposed to a success or informational one.
constexpr bool is_error(ReasonCode code) {
    return static_cast<uint8_t>(code) >= 0x80;
}

// The closest MQTT 3.x CONNACK return code for an MQTT 5 CONNACK reason, so the engine can
// decide in v5 terms and answer any version: Success -> Accepted, UnsupportedProtocolVersion
// -> UnacceptableProtocolVersion, ClientIdentifierNotValid -> IdentifierRejected,
// BadUserNameOrPassword/BadAuthenticationMethod -> BadUserNameOrPassword, NotAuthorized/Banned
// -> NotAuthorized, everything else -> ServerUnavailable.
ConnectReturnCode to_connect_return_code(ReasonCode code);

}  // namespace akasa::mqtt
