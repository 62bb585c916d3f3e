#include "mqtt/varint.h"

namespace akasa::mqtt {

uint8_t write_varint(uint32_t value, uint8_t* dest) {
    uint8_t size = 0;
    do {
        uint8_t byte = value & 0x7F;
        value >>= 7;
        if (value != 0) byte |= 0x80;
        dest[size++] = byte;
    } while (value != 0);
    return size;
}

void encode_varint(uint32_t value, std::vector<uint8_t>& out) {
    uint8_t bytes[kMaxVarintWriteSize];
    const uint8_t size = write_varint(value, bytes);
    out.insert(out.end(), bytes, bytes + size);
}

}  // namespace akasa::mqtt
