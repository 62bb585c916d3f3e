// Packet identifiers for messages the server sends at QoS 1/2 to one session
// [MQTT-2.2.1-3]: unique among the session's unacknowledged packets, never 0.
//
// Ids are handed out in increasing order (wrapping after 65535) so that consecutive
// messages get consecutive ids; an id still in use is skipped. The in-use set is a
// 65,536-bit map allocated on first use, so a session that never sends QoS 1/2 pays nothing.
//
//   PacketIdAllocator ids;
//   std::optional<uint16_t> id = ids.allocate();   // nullopt when all 65,535 are in use
//   ...
//   ids.release(*id);                               // on PUBACK / PUBCOMP
#pragma once

#include <cstdint>
#include <memory>
#include <optional>

namespace akasa::broker {

class PacketIdAllocator {
  public:
    std::optional<std::uint16_t> allocate();
    // Marks an id as used (e.g. when restoring inflight state); false if it already was.
    bool mark_used(std::uint16_t id);
    // Frees an id; false if it was not in use (a duplicate or unknown acknowledgement).
    bool release(std::uint16_t id);
    bool in_use(std::uint16_t id) const;
    std::uint32_t used_count() const { return used_; }

  private:
    static constexpr std::uint32_t kWords = 65536 / 64;
    std::unique_ptr<std::uint64_t[]> bits_;
    std::uint32_t used_ = 0;
    std::uint16_t last_ = 0;
};

}  // namespace akasa::broker
