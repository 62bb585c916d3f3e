// UTF-8 validation, for every text that must be UTF-8: MQTT strings and payloads, WebSocket
// close reasons, SCRAM and SASLprep input.
//
// Contract: both functions accept exactly well-formed UTF-8 (RFC 3629, Unicode table 3-7): no
// overlong forms, no surrogates U+D800..U+DFFF, nothing above U+10FFFF, no truncated sequence.
// Control characters, non-characters and U+FEFF are ordinary characters: accepted and never
// stripped. is_well_formed_utf8_without_nul also refuses U+0000, which MQTT strings may not
// hold [MQTT-1.5.4-2] and C-string APIs (libidn) cannot take.
//
//   if (!text::is_well_formed_utf8_without_nul(client_id)) reject(ReasonCode::MalformedPacket);
//
// The MQTT decoder calls this for every topic, so it is its hot path: all-ASCII text (most
// topics) is checked eight bytes at a time.
#pragma once

#include <string_view>

namespace akasa::text {

// Well-formed UTF-8, U+0000 allowed: a PUBLISH payload with Payload Format Indicator 1 (v5
// 3.3.2.3.2), a WebSocket close reason (RFC 6455 5.5.1), a SCRAM saslname (RFC 5802).
bool is_well_formed_utf8(std::string_view text);

// Well-formed UTF-8 without U+0000: an MQTT UTF-8 Encoded String [MQTT-1.5.4-1..2], the input
// of SASLprep. It does not check MQTT's 65535 byte limit (the length prefix enforces it).
bool is_well_formed_utf8_without_nul(std::string_view text);

}  // namespace akasa::text
