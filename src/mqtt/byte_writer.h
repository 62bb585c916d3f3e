// Internal to the codec: writes into memory the encoder has already sized exactly, so every
// packet costs one resize of the output vector and no bounds checks per byte.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

#include "mqtt/varint.h"

namespace akasa::mqtt::detail {

class ByteWriter {
  public:
    explicit ByteWriter(uint8_t* dest) : p_(dest) {}

    uint8_t* position() const { return p_; }

    void u8(uint8_t value) { *p_++ = value; }
    void u16(uint16_t value) {
        p_[0] = static_cast<uint8_t>(value >> 8);
        p_[1] = static_cast<uint8_t>(value);
        p_ += 2;
    }
    void u32(uint32_t value) {
        p_[0] = static_cast<uint8_t>(value >> 24);
        p_[1] = static_cast<uint8_t>(value >> 16);
        p_[2] = static_cast<uint8_t>(value >> 8);
        p_[3] = static_cast<uint8_t>(value);
        p_ += 4;
    }
    void varint(uint32_t value) { p_ += write_varint(value, p_); }
    void raw(std::string_view bytes) {
        if (!bytes.empty()) std::memcpy(p_, bytes.data(), bytes.size());
        p_ += bytes.size();
    }
    // A UTF-8 string or binary data field: two byte length, then the bytes.
    void string(std::string_view bytes) {
        u16(static_cast<uint16_t>(bytes.size()));
        raw(bytes);
    }

  private:
    uint8_t* p_;
};

// Size of a length-prefixed string or binary field.
inline size_t string_size(std::string_view bytes) {
    return 2 + bytes.size();
}

}  // namespace akasa::mqtt::detail
