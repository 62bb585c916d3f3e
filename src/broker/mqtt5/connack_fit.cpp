#include "broker/mqtt5/connack_fit.h"

#include "mqtt/encoder.h"

namespace akasa::broker::mqtt5 {

bool fit_connack(mqtt::Connack& connack, std::uint32_t limit, std::size_t& size) {
    auto fits = [&] {
        size = mqtt::encoded_size(mqtt::Packet(connack), mqtt::ProtocolVersion::V5);
        return size <= limit;
    };
    if (fits()) return true;
    auto& p = connack.properties;
    if (p.reason_string) {
        p.reason_string.reset();  // [MQTT-3.2.2-19]
        if (fits()) return true;
    }
    if (!p.user_properties.empty()) {
        p.user_properties.clear();  // [MQTT-3.2.2-20]
        if (fits()) return true;
    }
    if (p.response_information) {
        p.response_information.reset();  // optional (3.1.2.11.6)
        if (fits()) return true;
    }
    return false;
}

}  // namespace akasa::broker::mqtt5
