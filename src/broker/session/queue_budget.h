// The bytes of the messages queued in memory by every session of the server together
// (Outbox::pending_bytes summed), shared by all workers: what max_in_mem_pending_bytes_total
// bounds. Each Outbox charges what it queues and credits what leaves its queue (also when it
// is destroyed), so the sum is exact whichever path a delivery takes. A message shared by many
// queues is counted once per queue, as max_in_mem_pending_bytes counts it.
#pragma once

#include <atomic>
#include <cstddef>

namespace akasa::broker {

class QueueBudget {
  public:
    std::size_t used() const { return used_.load(std::memory_order_relaxed); }
    // True when `bytes` more stay within `limit`.
    bool fits(std::size_t bytes, std::size_t limit) const {
        const std::size_t now = used();
        return now <= limit && bytes <= limit - now;
    }
    void charge(std::size_t bytes) { used_.fetch_add(bytes, std::memory_order_relaxed); }
    void credit(std::size_t bytes) { used_.fetch_sub(bytes, std::memory_order_relaxed); }

  private:
    std::atomic<std::size_t> used_{0};
};

}  // namespace akasa::broker
