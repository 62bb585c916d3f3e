// Internal to the codec: shorthands for the decoders' error values.
#pragma once

#include "mqtt/decoder.h"

namespace akasa::mqtt::detail {

constexpr DecodeError malformed(const char* message) {
    return {ReasonCode::MalformedPacket, message};
}
constexpr DecodeError protocol_error(const char* message) {
    return {ReasonCode::ProtocolError, message};
}

}  // namespace akasa::mqtt::detail
