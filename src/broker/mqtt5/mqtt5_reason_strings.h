// Reason Strings for people (MQTT 5 spec 3.x.2.2.x "Reason String"): what a refusal means on
// this server and, where a config key decides it, which key. Sent only where the client's
// Request Problem Information and Maximum Packet Size allow (mqtt5_limits.h).
#pragma once

#include <string_view>

#include "mqtt/types.h"

namespace akasa::broker::mqtt5 {

// The explanation of a SUBSCRIBE refusal code (SUBACK); the code's name for other codes.
std::string_view subscribe_refusal_text(mqtt::ReasonCode reason);

}  // namespace akasa::broker::mqtt5
