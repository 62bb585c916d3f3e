// The client's limits on what the server sends it (MQTT 5): Maximum Packet Size for every
// packet [MQTT-3.1.2-24], and Request Problem Information 0, which forbids Reason Strings and
// User Properties on packets other than PUBLISH, CONNACK and DISCONNECT [MQTT-3.1.2-29].
// The only parts of a server packet the spec lets us leave out to make it fit are the
// Reason String and the User Properties ([MQTT-3.2.2-19/20] CONNACK, [MQTT-3.4.2-2/3] and
// siblings for the acknowledgements, [MQTT-3.14.2-3/4] DISCONNECT, [MQTT-3.15.2-2/3] AUTH).
// PUBLISH is not handled here: one too large is not sent at all [MQTT-3.1.2-25].
#pragma once

#include <cstdint>
#include <optional>
#include <type_traits>

#include "mqtt/encoder.h"
#include "mqtt/packets.h"

namespace akasa::broker::mqtt5 {

template <class P>
inline constexpr bool kAlwaysAllowsDiagnostics =
    std::is_same_v<P, mqtt::Connack> || std::is_same_v<P, mqtt::Disconnect>;

// Packets whose size depends on more than a packet id: checked against the limit even
// without properties (a SUBACK grows with the number of filters).
template <class P>
inline constexpr bool kGrowsWithContent =
    std::is_same_v<P, mqtt::Suback> || std::is_same_v<P, mqtt::Unsuback>;

// Returns the packet to send to a v5 client: `packet` itself, or `trimmed` holding a copy
// without Reason String and User Properties; nullptr when even that exceeds `limit`.
template <class P>
const P* fit_for_client(const P& packet, std::uint32_t limit, bool problem_information,
                        std::optional<P>& trimmed) {
    if constexpr (!requires { packet.properties; }) {
        return &packet;  // PINGRESP: two bytes
    } else {
        if (packet.properties.empty() && !kGrowsWithContent<P>) return &packet;  // the hot path
        const P* candidate = &packet;
        const bool diagnostics = !packet.properties.user_properties.empty() ||
                                 packet.properties.reason_string.has_value();
        auto strip = [&] {
            trimmed.emplace(packet);
            trimmed->properties.reason_string.reset();
            trimmed->properties.user_properties.clear();
            candidate = &*trimmed;
        };
        if (diagnostics && !problem_information && !kAlwaysAllowsDiagnostics<P>) strip();
        if (mqtt::encoded_size(mqtt::Packet(*candidate), mqtt::ProtocolVersion::V5) <= limit) {
            return candidate;
        }
        if (!diagnostics || candidate != &packet) return nullptr;
        strip();
        if (mqtt::encoded_size(mqtt::Packet(*candidate), mqtt::ProtocolVersion::V5) <= limit) {
            return candidate;
        }
        return nullptr;
    }
}

}  // namespace akasa::broker::mqtt5
