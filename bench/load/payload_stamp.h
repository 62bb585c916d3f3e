// What every benchmark payload starts with, so a subscriber can compute end-to-end latency
// and find lost or reordered messages without any side channel:
//   offset 0   u32  run id            (random per akasa-bench process: messages left over
//                                      from another run on the same topics are foreign)
//   offset 4   u32  publisher id      (global index of the publisher, 0..P-1)
//   offset 8   u64  sequence number   (per publisher, from 0, no gaps when sent)
//   offset 16  u64  send time         (CLOCK_MONOTONIC ns, taken when the message is queued)
// Little-endian (host order: publisher and subscriber are the same process). The rest of
// the payload is filler up to the requested size.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>

namespace akasa::bench {

inline constexpr std::size_t kPayloadStampSize = 24;
struct PayloadStamp {
    std::uint32_t run_id = 0;
    std::uint32_t publisher_id = 0;
    std::uint64_t sequence = 0;
    std::uint64_t sent_ns = 0;
};

inline void write_payload_stamp(std::uint8_t* payload, const PayloadStamp& stamp) {
    std::memcpy(payload, &stamp.run_id, 4);
    std::memcpy(payload + 4, &stamp.publisher_id, 4);
    std::memcpy(payload + 8, &stamp.sequence, 8);
    std::memcpy(payload + 16, &stamp.sent_ns, 8);
}

// nullopt when the payload is too short or belongs to another run.
inline std::optional<PayloadStamp> read_payload_stamp(std::span<const std::uint8_t> payload,
                                                      std::uint32_t run_id) {
    if (payload.size() < kPayloadStampSize) return std::nullopt;
    PayloadStamp stamp;
    std::memcpy(&stamp.run_id, payload.data(), 4);
    if (stamp.run_id != run_id) return std::nullopt;
    std::memcpy(&stamp.publisher_id, payload.data() + 4, 4);
    std::memcpy(&stamp.sequence, payload.data() + 8, 8);
    std::memcpy(&stamp.sent_ns, payload.data() + 16, 8);
    return stamp;
}

}  // namespace akasa::bench
