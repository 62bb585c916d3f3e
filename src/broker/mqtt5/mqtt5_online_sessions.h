// Which members of shared subscription groups have a connection right now, across workers:
// shared subscriptions send each message to one ONLINE member of the group when there is one
// (spec 4.8.2), and the member sessions live on other threads. Only sessions with a shared
// subscription are listed (Worker::list_online_if_shared): nothing else is ever looked up.
// Written at connect, shared subscribe and disconnect, read when a message matches a shared
// subscription (RwLock: the read side touches no shared cache line).
//
//   online.set(session.id(), true);             // connected member of a group
//   if (online.contains(member.session)) ...    // routing
#pragma once

#include <cstddef>
#include <mutex>
#include <shared_mutex>
#include <span>

#include <absl/container/flat_hash_set.h>

#include "broker/routing/rw_lock.h"
#include "broker/routing/subscription.h"

namespace akasa::broker {

class OnlineSessions {
  public:
    void set(SessionId session, bool online) {
        std::unique_lock lock(lock_);
        if (online) {
            sessions_.insert(session);
        } else {
            sessions_.erase(session);
        }
    }
    bool contains(SessionId session) const {
        std::shared_lock lock(lock_);
        return sessions_.contains(session);
    }

  private:
    mutable RwLock lock_;
    absl::flat_hash_set<SessionId> sessions_;  // guarded by lock_
};

// The first member of a shared subscription group from `start` on (wrapping) that is online
// and not `excluded` (0: none); npos when there is none.
inline std::size_t next_online_member(const OnlineSessions& online,
                                      std::span<const Subscription> members, std::size_t start,
                                      SessionId excluded = 0) {
    for (std::size_t i = 0; i < members.size(); ++i) {
        const std::size_t candidate = (start + i) % members.size();
        const SessionId session = members[candidate].session;
        if (session != excluded && online.contains(session)) return candidate;
    }
    return static_cast<std::size_t>(-1);
}

// The member of a shared subscription group to send to: `pick` if online, else the next
// online member after it (wrapping), else `pick` (a persistent session queues it).
inline std::size_t first_online_member(const OnlineSessions& online,
                                       std::span<const Subscription> members, std::size_t pick) {
    const std::size_t online_member = next_online_member(online, members, pick);
    return online_member == static_cast<std::size_t>(-1) ? pick : online_member;
}

}  // namespace akasa::broker
