// MQTT 5 properties (spec 2.2.2): their identifiers and a decoded property set.
//
// Contract: `Properties` holds VIEWS (std::string_view) into the buffer the packet was decoded
// from, or into strings the caller owns when it builds a packet to encode; that storage must
// outlive the Properties. An absent property is an empty optional. The two repeatable
// properties are vectors, kept in wire order; they stay empty (no allocation) when absent.
// MQTT 3.x packets always have empty Properties; the encoder ignores them for 3.x.
//
//   Properties p;
//   p.message_expiry_interval = 60;
//   p.user_properties.emplace_back("origin", "sensor-7");
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

namespace akasa::mqtt {

// The 27 property identifiers of MQTT 5 (spec 2.2.2.2). The comment gives the data type.
enum class PropertyId : uint8_t {
    PayloadFormatIndicator = 0x01,           // byte, 0 or 1
    MessageExpiryInterval = 0x02,            // four byte integer
    ContentType = 0x03,                      // UTF-8 string
    ResponseTopic = 0x08,                    // UTF-8 string
    CorrelationData = 0x09,                  // binary data
    SubscriptionIdentifier = 0x0B,           // variable byte integer, 1..268435455
    SessionExpiryInterval = 0x11,            // four byte integer
    AssignedClientIdentifier = 0x12,         // UTF-8 string
    ServerKeepAlive = 0x13,                  // two byte integer
    AuthenticationMethod = 0x15,             // UTF-8 string
    AuthenticationData = 0x16,               // binary data
    RequestProblemInformation = 0x17,        // byte, 0 or 1
    WillDelayInterval = 0x18,                // four byte integer
    RequestResponseInformation = 0x19,       // byte, 0 or 1
    ResponseInformation = 0x1A,              // UTF-8 string
    ServerReference = 0x1C,                  // UTF-8 string
    ReasonString = 0x1F,                     // UTF-8 string
    ReceiveMaximum = 0x21,                   // two byte integer, not 0
    TopicAliasMaximum = 0x22,                // two byte integer
    TopicAlias = 0x23,                       // two byte integer, not 0
    MaximumQoS = 0x24,                       // byte, 0 or 1
    RetainAvailable = 0x25,                  // byte, 0 or 1
    UserProperty = 0x26,                     // UTF-8 string pair, repeatable
    MaximumPacketSize = 0x27,                // four byte integer, not 0
    WildcardSubscriptionAvailable = 0x28,    // byte, 0 or 1
    SubscriptionIdentifierAvailable = 0x29,  // byte, 0 or 1
    SharedSubscriptionAvailable = 0x2A,      // byte, 0 or 1
};

using UserProperty = std::pair<std::string_view, std::string_view>;

// One member per property. Which properties a packet may carry is checked by the decoder
// (spec table 2.2.2.2); the struct itself is the same for every packet type.
struct Properties {
    std::optional<uint8_t> payload_format_indicator;
    std::optional<uint32_t> message_expiry_interval;
    std::optional<std::string_view> content_type;
    std::optional<std::string_view> response_topic;
    std::optional<std::string_view> correlation_data;
    std::optional<uint32_t> session_expiry_interval;
    std::optional<std::string_view> assigned_client_identifier;
    std::optional<uint16_t> server_keep_alive;
    std::optional<std::string_view> authentication_method;
    std::optional<std::string_view> authentication_data;
    std::optional<uint8_t> request_problem_information;
    std::optional<uint32_t> will_delay_interval;
    std::optional<uint8_t> request_response_information;
    std::optional<std::string_view> response_information;
    std::optional<std::string_view> server_reference;
    std::optional<std::string_view> reason_string;
    std::optional<uint16_t> receive_maximum;
    std::optional<uint16_t> topic_alias_maximum;
    std::optional<uint16_t> topic_alias;
    std::optional<uint8_t> maximum_qos;
    std::optional<uint8_t> retain_available;
    std::optional<uint32_t> maximum_packet_size;
    std::optional<uint8_t> wildcard_subscription_available;
    std::optional<uint8_t> subscription_identifier_available;
    std::optional<uint8_t> shared_subscription_available;

    // Repeatable: User Property in any packet with properties (order is significant,
    // [MQTT-3.3.2-18]); Subscription Identifier several times only in PUBLISH.
    std::vector<UserProperty> user_properties;
    std::vector<uint32_t> subscription_identifiers;

    // True when no property is present (encodes as a property length of 0).
    bool empty() const;

    // Back to "no property", keeping the vectors' capacity (for decoders that reuse a packet).
    void clear();

    bool operator==(const Properties&) const = default;
};

}  // namespace akasa::mqtt
