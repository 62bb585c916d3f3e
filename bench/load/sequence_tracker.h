// Per-subscriber bookkeeping of the sequence numbers seen from each publisher. A forward
// jump is a gap (the skipped messages may still arrive late, or be lost); a number below the
// next expected one is out of order (or a duplicate, e.g. a QoS 1 redelivery). Losses are
// counted at the end from totals, so a late arrival is not a loss.
#pragma once

#include <cstdint>
#include <vector>

namespace akasa::bench {

struct SequenceCounts {
    std::uint64_t received = 0;
    std::uint64_t gaps = 0;          // forward jumps
    std::uint64_t skipped = 0;       // messages jumped over by those gaps
    std::uint64_t out_of_order = 0;  // below the next expected number
};

class SequenceTracker {
  public:
    explicit SequenceTracker(std::uint32_t publisher_count) : next_(publisher_count, 0) {}

    // Returns false for a publisher id out of range (a foreign or corrupt message).
    bool observe(std::uint32_t publisher_id, std::uint64_t sequence, SequenceCounts& counts) {
        if (publisher_id >= next_.size()) return false;
        std::uint64_t& next = next_[publisher_id];
        ++counts.received;
        if (sequence == next) {
            ++next;
        } else if (sequence > next) {
            ++counts.gaps;
            counts.skipped += sequence - next;
            next = sequence + 1;
        } else {
            ++counts.out_of_order;
        }
        return true;
    }

  private:
    std::vector<std::uint64_t> next_;  // next expected sequence number, per publisher
};

}  // namespace akasa::bench
