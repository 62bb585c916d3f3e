// Two optional MQTT 5 server behaviours, each governed by a config key of ours:
// - `validate_payload_format`: a payload whose Payload Format Indicator is 1 (UTF-8) must be
//   well-formed UTF-8, else 0x99 Payload format invalid (spec 3.3.2.3.2, 3.1.3.2.3);
// - `response_information`: the Response Information returned in CONNACK to a client that
//   asks for it with Request Response Information 1 (spec 3.1.2.11.6, 3.2.2.3.15).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "config/config.h"
#include "mqtt/properties.h"

namespace akasa::broker::mqtt5 {

// False when the server validates payload formats and `payload` claims to be UTF-8 but is not.
bool payload_format_ok(const config::Config& config, const mqtt::Properties& properties,
                       std::string_view payload);

// The Response Information for a client that asked for it: the configured text with
// `{client_id}` replaced by the client's id; nullopt when none is configured.
std::optional<std::string> response_information(const config::Config& config,
                                                std::string_view client_id);

}  // namespace akasa::broker::mqtt5
