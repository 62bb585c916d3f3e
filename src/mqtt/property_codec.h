// Internal to the codec: reading and writing a v5 property block (length + properties),
// with the per-packet allowed set of spec table 2.2.2.2.
#pragma once

#include <cstdint>

#include "mqtt/byte_reader.h"
#include "mqtt/byte_writer.h"
#include "mqtt/decoder.h"
#include "mqtt/properties.h"

namespace akasa::mqtt::detail {

// The properties a packet may carry: bit N set allows property id N.
enum class PropertySet : uint64_t {};

constexpr uint64_t bit(PropertyId id) {
    return uint64_t{1} << static_cast<uint8_t>(id);
}

using enum PropertyId;
inline constexpr auto kConnectProperties = PropertySet{
    bit(SessionExpiryInterval) | bit(AuthenticationMethod) | bit(AuthenticationData) |
    bit(RequestProblemInformation) | bit(RequestResponseInformation) | bit(ReceiveMaximum) |
    bit(TopicAliasMaximum) | bit(UserProperty) | bit(MaximumPacketSize)};
inline constexpr auto kWillProperties = PropertySet{
    bit(PayloadFormatIndicator) | bit(MessageExpiryInterval) | bit(ContentType) |
    bit(ResponseTopic) | bit(CorrelationData) | bit(WillDelayInterval) | bit(UserProperty)};
inline constexpr auto kConnackProperties =
    PropertySet{bit(SessionExpiryInterval) | bit(AssignedClientIdentifier) | bit(ServerKeepAlive) |
                bit(AuthenticationMethod) | bit(AuthenticationData) | bit(ResponseInformation) |
                bit(ServerReference) | bit(ReasonString) | bit(ReceiveMaximum) |
                bit(TopicAliasMaximum) | bit(MaximumQoS) | bit(RetainAvailable) |
                bit(UserProperty) | bit(MaximumPacketSize) | bit(WildcardSubscriptionAvailable) |
                bit(SubscriptionIdentifierAvailable) | bit(SharedSubscriptionAvailable)};
inline constexpr auto kPublishProperties =
    PropertySet{bit(PayloadFormatIndicator) | bit(MessageExpiryInterval) | bit(ContentType) |
                bit(ResponseTopic) | bit(CorrelationData) | bit(SubscriptionIdentifier) |
                bit(TopicAlias) | bit(UserProperty)};
// PUBACK, PUBREC, PUBREL, PUBCOMP, SUBACK, UNSUBACK.
inline constexpr auto kAckProperties = PropertySet{bit(ReasonString) | bit(UserProperty)};
inline constexpr auto kSubscribeProperties =
    PropertySet{bit(SubscriptionIdentifier) | bit(UserProperty)};
inline constexpr auto kUnsubscribeProperties = PropertySet{bit(UserProperty)};
inline constexpr auto kDisconnectProperties = PropertySet{
    bit(SessionExpiryInterval) | bit(ServerReference) | bit(ReasonString) | bit(UserProperty)};
inline constexpr auto kAuthProperties = PropertySet{
    bit(AuthenticationMethod) | bit(AuthenticationData) | bit(ReasonString) | bit(UserProperty)};

// Reads a property length and the properties it covers into `out` (which must be empty),
// refusing User Properties beyond `limits` (decoder.h).
DecodeResult read_properties(ByteReader& reader, PropertySet allowed, Properties& out,
                             const DecodeLimits& limits = {});

// Writes the property length and the properties (order: by identifier, user properties in
// their order). `size` must be properties_size(properties).
void write_properties(ByteWriter& writer, const Properties& properties, size_t size);

}  // namespace akasa::mqtt::detail
