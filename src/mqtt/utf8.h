// Validation of MQTT UTF-8 Encoded Strings (spec 1.5.4 / 3.1.1 1.5.3).
//
// Contract: is_valid_mqtt_utf8 accepts exactly well-formed UTF-8 (RFC 3629: no overlong
// forms, nothing above U+10FFFF, no truncated sequences) that contains neither U+0000
// [MQTT-1.5.4-2] nor the surrogates U+D800..U+DFFF [MQTT-1.5.4-1]. Control characters and
// non-characters are allowed (the spec only says SHOULD NOT). U+FEFF is an ordinary
// character: it is accepted and never stripped [MQTT-1.5.4-3]. It does not check the 65535
// byte length limit (the string length prefix makes that impossible on the wire).
//
//   if (!is_valid_mqtt_utf8(client_id)) reject(ReasonCode::MalformedPacket);
#pragma once

#include <string_view>

namespace akasa::mqtt {

bool is_valid_mqtt_utf8(std::string_view text);

// Well-formed UTF-8 per RFC 3629 (U+0000 allowed): what a PUBLISH payload with Payload Format
// Indicator 1 must be (v5 3.3.2.3.2); a receiver MAY check it and answer Payload format
// invalid (0x99). The decoder leaves this optional check to the engine.
bool is_well_formed_utf8(std::string_view text);

}  // namespace akasa::mqtt
