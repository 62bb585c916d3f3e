// Internal to the codec: a bounds-checked cursor over a packet body. Every read either
// succeeds or returns false without moving, so decoders turn a short body into an error value.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "mqtt/varint.h"
#include "text/utf8.h"

namespace akasa::mqtt::detail {

class ByteReader {
  public:
    explicit ByteReader(std::span<const uint8_t> data) : data_(data) {}

    size_t remaining() const { return data_.size() - pos_; }
    bool empty() const { return pos_ == data_.size(); }

    bool read_u8(uint8_t& value) {
        if (remaining() < 1) return false;
        value = data_[pos_++];
        return true;
    }

    bool read_u16(uint16_t& value) {
        if (remaining() < 2) return false;
        value = static_cast<uint16_t>((data_[pos_] << 8) | data_[pos_ + 1]);
        pos_ += 2;
        return true;
    }

    bool read_u32(uint32_t& value) {
        if (remaining() < 4) return false;
        value = (static_cast<uint32_t>(data_[pos_]) << 24) |
                (static_cast<uint32_t>(data_[pos_ + 1]) << 16) |
                (static_cast<uint32_t>(data_[pos_ + 2]) << 8) | data_[pos_ + 3];
        pos_ += 4;
        return true;
    }

    // False when cut off, longer than 4 bytes or not in minimal form.
    bool read_varint(uint32_t& value) {
        // Fast path: every property identifier and most lengths fit in one byte.
        if (pos_ < data_.size() && data_[pos_] < 0x80) {
            value = data_[pos_++];
            return true;
        }
        const VarintResult result = decode_varint(data_.subspan(pos_));
        if (result.status != VarintStatus::Ok) return false;
        value = result.value;
        pos_ += result.size;
        return true;
    }

    bool read_bytes(size_t size, std::string_view& value) {
        if (remaining() < size) return false;
        value = std::string_view(reinterpret_cast<const char*>(data_.data() + pos_), size);
        pos_ += size;
        return true;
    }

    // Binary Data / the raw bytes of a UTF-8 string: a two byte length, then the bytes.
    bool read_binary(std::string_view& value) {
        uint16_t size;
        if (remaining() < 2) return false;
        size = static_cast<uint16_t>((data_[pos_] << 8) | data_[pos_ + 1]);
        if (remaining() - 2 < size) return false;
        pos_ += 2;
        return read_bytes(size, value);
    }

    // A UTF-8 Encoded String: false when cut off or not well-formed UTF-8 without U+0000
    // [MQTT-1.5.4-1..2].
    bool read_utf8(std::string_view& value) {
        const size_t start = pos_;
        if (!read_binary(value)) return false;
        if (!text::is_well_formed_utf8_without_nul(value)) {
            pos_ = start;
            return false;
        }
        return true;
    }

    // Everything not read yet; the reader is then empty.
    std::string_view read_rest() {
        std::string_view rest(reinterpret_cast<const char*>(data_.data() + pos_), remaining());
        pos_ = data_.size();
        return rest;
    }

    // A sub-reader over the next `size` bytes, which this reader skips.
    bool split(size_t size, ByteReader& sub) {
        if (remaining() < size) return false;
        sub = ByteReader(data_.subspan(pos_, size));
        pos_ += size;
        return true;
    }

  private:
    std::span<const uint8_t> data_;
    size_t pos_ = 0;
};

}  // namespace akasa::mqtt::detail
