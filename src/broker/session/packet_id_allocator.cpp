#include "broker/session/packet_id_allocator.h"

namespace akasa::broker {

std::optional<std::uint16_t> PacketIdAllocator::allocate() {
    if (used_ >= 65535) return std::nullopt;
    if (!bits_) bits_ = std::make_unique<std::uint64_t[]>(kWords);  // zeroed
    std::uint16_t id = last_;
    for (;;) {
        id = static_cast<std::uint16_t>(id + 1);
        if (id == 0) continue;
        if (!(bits_[id / 64] & (std::uint64_t{1} << (id % 64)))) break;
    }
    bits_[id / 64] |= std::uint64_t{1} << (id % 64);
    ++used_;
    last_ = id;
    return id;
}

bool PacketIdAllocator::mark_used(std::uint16_t id) {
    if (id == 0) return false;
    if (!bits_) bits_ = std::make_unique<std::uint64_t[]>(kWords);
    auto mask = std::uint64_t{1} << (id % 64);
    if (bits_[id / 64] & mask) return false;
    bits_[id / 64] |= mask;
    ++used_;
    return true;
}

bool PacketIdAllocator::release(std::uint16_t id) {
    if (!in_use(id)) return false;
    bits_[id / 64] &= ~(std::uint64_t{1} << (id % 64));
    --used_;
    return true;
}

bool PacketIdAllocator::in_use(std::uint16_t id) const {
    return bits_ && id != 0 && (bits_[id / 64] & (std::uint64_t{1} << (id % 64)));
}

}  // namespace akasa::broker
