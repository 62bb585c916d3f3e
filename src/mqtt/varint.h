// MQTT Variable Byte Integer (spec 1.5.5 / 3.1.1 2.2.3): 7 bits per byte, least significant
// group first, high bit = "more bytes follow", at most 4 bytes (0..268435455).
//
// Contract: decoding never reads past `data`; it reports NeedMore when the integer is cut
// off, and Malformed for a 5th continuation byte or a non-minimal form (e.g. 0x80 0x00 for 0),
// which [MQTT-1.5.5-1] forbids.
//
//   std::vector<uint8_t> out;
//   encode_varint(321, out);                  // 0xC1 0x02
//   auto r = decode_varint(out);              // r.status == Ok, r.value == 321, r.size == 2
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace akasa::mqtt {

inline constexpr uint32_t kMaxVarint = 268435455;

enum class VarintStatus : uint8_t { Ok, NeedMore, Malformed };

struct VarintResult {
    VarintStatus status = VarintStatus::NeedMore;
    uint32_t value = 0;
    uint8_t size = 0;  // bytes consumed when Ok
};

// Inline: the fixed header and every property identifier go through it.
inline VarintResult decode_varint(std::span<const uint8_t> data) {
    uint32_t value = 0;
    for (size_t i = 0; i < 4; ++i) {
        if (i >= data.size()) return {VarintStatus::NeedMore, 0, 0};
        const uint8_t byte = data[i];
        value |= static_cast<uint32_t>(byte & 0x7F) << (7 * i);
        if ((byte & 0x80) == 0) {
            // A last byte of 0 after other bytes adds nothing: a longer form than needed.
            if (i > 0 && byte == 0) return {VarintStatus::Malformed, 0, 0};
            return {VarintStatus::Ok, value, static_cast<uint8_t>(i + 1)};
        }
    }
    return {VarintStatus::Malformed, 0, 0};  // a 4th byte with the continuation bit set
}

// Bytes write_varint() uses for `value`: 1..4 for a valid value, 5 beyond kMaxVarint. A
// packet whose Remaining Length needs 5 bytes is not valid MQTT, but the encoder may still be
// asked for one (a 3.1.1 PUBLISH near the maximum size grows by its v5 properties when
// forwarded); it is sized and written consistently, then refused by the size checks, since
// it exceeds kMaxPacketSize.
constexpr uint8_t varint_size(uint32_t value) {
    return value < 128u          ? 1
           : value < 16384u      ? 2
           : value < 2097152u    ? 3
           : value <= kMaxVarint ? 4
                                 : 5;
}

inline constexpr std::size_t kMaxVarintWriteSize = 5;

// Appends the encoding of `value` (<= kMaxVarint) to out.
void encode_varint(uint32_t value, std::vector<uint8_t>& out);

// Writes the encoding of `value` at dest (room for varint_size(value) bytes, at most
// kMaxVarintWriteSize); returns its size, which is varint_size(value).
uint8_t write_varint(uint32_t value, uint8_t* dest);

}  // namespace akasa::mqtt
