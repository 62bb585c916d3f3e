// Helpers for writing packets byte by byte in codec tests.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "mqtt/decoder.h"
#include "mqtt/encoder.h"
#include "mqtt/varint.h"

namespace akasa::mqtt::testing {

using Bytes = std::vector<uint8_t>;

// Concatenates byte sequences: cat({0x00, 0x01}, str("ab")).
inline Bytes cat(std::initializer_list<Bytes> parts) {
    Bytes out;
    for (const auto& part : parts)
        out.insert(out.end(), part.begin(), part.end());
    return out;
}

// A length-prefixed UTF-8 string / binary field.
inline Bytes str(std::string_view text) {
    Bytes out(2 + text.size());
    out[0] = static_cast<uint8_t>(text.size() >> 8);
    out[1] = static_cast<uint8_t>(text.size());
    std::copy(text.begin(), text.end(), out.begin() + 2);
    return out;
}

// A whole packet: first byte, Remaining Length, body.
inline Bytes frame(uint8_t first_byte, const Bytes& body) {
    Bytes out{first_byte};
    encode_varint(static_cast<uint32_t>(body.size()), out);
    out.insert(out.end(), body.begin(), body.end());
    return out;
}

// A v5 property block: varint length, then the given property bytes.
inline Bytes props(const Bytes& content) {
    Bytes out;
    encode_varint(static_cast<uint32_t>(content.size()), out);
    out.insert(out.end(), content.begin(), content.end());
    return out;
}

// Decodes exactly one whole packet from `data` through the public two-step API.
// Returns nullopt on success; a test failure "incomplete" is reported as ImplementationSpecific.
inline DecodeResult decode(const Bytes& data, ProtocolVersion version, Packet& out) {
    const HeaderResult header = decode_fixed_header(data);
    if (header.status == HeaderStatus::Error) return header.error;
    if (header.status == HeaderStatus::NeedMore || data.size() != header.header.packet_size()) {
        return DecodeError{ReasonCode::ImplementationSpecificError, "test: incomplete packet"};
    }
    const auto body = std::span<const uint8_t>(data).subspan(header.header.header_size);
    return decode_packet(header.header, body, version, out);
}

// The reason a packet is refused with, or nullopt when it decodes.
inline std::optional<ReasonCode> reject_reason(const Bytes& data, ProtocolVersion version) {
    Packet packet;
    if (auto error = decode(data, version, packet)) return error->reason;
    return std::nullopt;
}

template <typename T>
Bytes encoded(const T& packet, ProtocolVersion version) {
    Bytes out;
    encode(packet, version, out);
    return out;
}

}  // namespace akasa::mqtt::testing
