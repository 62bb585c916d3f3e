// Subscribers that are pausing their publishers right now (ClientConnection reported
// congestion and has not drained or stalled since), readable by every worker.
//
// Why: a worker acknowledges a QoS 1 PUBLISH once it is routed, also when the subscriber
// lives on another worker. The subscriber's worker pauses such a publisher only after the
// deliveries reached it and a "pause" went back (publisher_throttle.h); with many publishers
// feeding one subscriber, what they sent meanwhile overflowed its queue (acknowledged
// messages dropped). With this set, the publisher's worker sees the congestion while routing
// and pauses its publisher at once, and resumes it when the subscriber leaves the set.
//
//   congested.add(session.id());        // the subscriber's worker, congestion begins
//   if (congested.contains(target)) ... // another worker, routing to `target`
//   congested.remove(session.id());     // drained, stalled or closed
//
// The routing check is one relaxed atomic load while nobody is congested.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <shared_mutex>

#include <absl/container/flat_hash_set.h>

#include "broker/routing/rw_lock.h"
#include "broker/routing/subscription.h"

namespace akasa::broker {

class CongestedSessions {
  public:
    void add(SessionId session) {
        std::unique_lock lock(lock_);
        if (sessions_.insert(session).second) count_.fetch_add(1, std::memory_order_relaxed);
    }
    void remove(SessionId session) {
        std::unique_lock lock(lock_);
        if (sessions_.erase(session) == 0) return;
        count_.fetch_sub(1, std::memory_order_relaxed);
    }
    bool contains(SessionId session) const {
        if (count_.load(std::memory_order_relaxed) == 0) return false;
        std::shared_lock lock(lock_);
        return sessions_.contains(session);
    }

  private:
    std::atomic<std::size_t> count_{0};
    mutable RwLock lock_;
    absl::flat_hash_set<SessionId> sessions_;  // guarded by lock_
};

}  // namespace akasa::broker
