// Back-pressure from slow subscribers to the publishers that feed them, inside one worker.
//
// When a QoS 1/2 delivery finds its subscriber congested (output over
// ConnectionFlow::kOutputPause, or its queue half full), the publisher whose input is being
// handled stops being read until that subscriber drains. The kernel's socket buffers then
// slow the publisher down, so acknowledged messages wait in the publisher's TCP stream
// instead of piling up in broker memory. Publishers of other, uncongested subscribers keep
// going. QoS 0 deliveries pause nobody: a subscriber that does not take them has them
// dropped past max_output_buffer_bytes (counted), since pausing would make them wait seconds
// in TCP buffers and slow every other subscriber of the same publishers.
//
// A subscriber that stays congested for ConnectionFlow::kStalledAfter without draining is
// stalled (a client that stopped reading): it stops pausing publishers, and its own output
// and queue limits drop its messages instead, so one stuck client cannot slow the others.
//
// Paused publishers resume a batch at a time, oldest pause first, each time their subscriber
// drains: resuming hundreds at once would refill it with hundreds of reads in one go (a
// fan-in herd) and overflow it.
//
// Across workers: a delivery from another worker's publisher that finds its subscriber
// congested pauses that publisher remotely: the subscriber's worker records the pair here
// (by the publisher's SessionId) and posts "pause" to the publisher's worker, and "resume"
// when the pair comes out of take_batch, exactly once per pause. Without it, a publisher on
// another worker would keep receiving PUBACKs (sent once a message is routed) and fill its
// subscriber's queue until messages are dropped. The inbox high-water mark
// (Worker::downstream_congested) still bounds what is in transit between workers.
//
// That pause comes late when many publishers feed one subscriber: so the publisher's worker
// also checks, while routing, whether a remote target is congested (congested_sessions.h)
// and then pauses the publisher itself, until the target leaves that set
// (take_remote_drained).
#pragma once

#include <algorithm>
#include <cstddef>
#include <span>
#include <vector>

#include "broker/routing/subscription.h"

namespace akasa::broker {

class ClientConnection;

class PublisherThrottle {
  public:
    static constexpr std::size_t kResumeBatch = 16;
    // Read size while any publisher is paused: 500 clients x 8 KiB stay well inside the
    // room between ConnectionFlow::kOutputPause and max_output_buffer_bytes (default).
    static constexpr std::size_t kCongestedReadSize = 8 * 1024;

    // Before handling one read of a connection's input.
    void begin_read() {
        congested_subscriber_ = nullptr;
        congested_remote_ = 0;
    }
    // A delivery made while handling that input found `subscriber` congested.
    void subscriber_congested(ClientConnection& subscriber) { congested_subscriber_ = &subscriber; }
    // After the read: the subscriber the connection that was read must wait for, or null.
    ClientConnection* reader_must_wait_for() const { return congested_subscriber_; }
    // The same for a subscriber on another worker, seen congested while routing.
    void remote_subscriber_congested(SessionId subscriber) { congested_remote_ = subscriber; }
    SessionId reader_must_wait_for_remote() const { return congested_remote_; }

    struct Paused {
        ClientConnection* publisher;      // on this worker; null for a remote one
        SessionId remote_publisher;       // the publisher's session on another worker
        ClientConnection* subscriber;     // what it waits for, or null for:
        SessionId remote_subscriber = 0;  // a subscriber on another worker
    };

    void add_paused(ClientConnection& publisher, ClientConnection& subscriber) {
        paused_.push_back({&publisher, 0, &subscriber});
    }
    // A publisher on another worker feeds `subscriber`, which is congested. False when that
    // pair is paused already (the publisher was told once; it is resumed once).
    bool add_remote_paused(SessionId publisher, ClientConnection& subscriber) {
        for (const auto& p : paused_) {
            if (p.remote_publisher == publisher && p.subscriber == &subscriber) return false;
        }
        paused_.push_back({nullptr, publisher, &subscriber});
        return true;
    }
    // A local publisher waits for a subscriber on another worker (remote_subscriber_congested).
    void add_paused_for_remote(ClientConnection& publisher, SessionId subscriber) {
        paused_.push_back({&publisher, 0, nullptr, subscriber});
        ++remote_waits_;
    }
    bool any_waiting_for_remote() const { return remote_waits_ > 0; }
    // A paused publisher closed or left the worker.
    void forget(ClientConnection& publisher) {
        std::erase_if(paused_, [&](const Paused& p) {
            if (p.publisher != &publisher) return false;
            if (p.remote_subscriber != 0) --remote_waits_;
            return true;
        });
    }
    bool any_paused() const { return !paused_.empty(); }
    bool any_waiting_for(const ClientConnection& subscriber) const {
        return std::any_of(paused_.begin(), paused_.end(),
                           [&](const Paused& p) { return p.subscriber == &subscriber; });
    }

    // Removes and returns the next publishers to resume: the kResumeBatch paused longest
    // for `subscriber` (all of them when `all`), or for any subscriber when it is null.
    // The span is valid until the next call.
    std::span<const Paused> take_batch(const ClientConnection* subscriber, bool all = false) {
        batch_.clear();
        std::erase_if(paused_, [&](const Paused& p) {
            if (subscriber && p.subscriber != subscriber) return false;
            if (!all && batch_.size() >= kResumeBatch) return false;
            batch_.push_back(p);
            if (p.remote_subscriber != 0) --remote_waits_;
            return true;
        });
        return batch_;
    }
    // Removes and returns up to kResumeBatch publishers waiting for remote subscribers for
    // which `congested(SessionId)` is false now, oldest first.
    template <class IsCongested>
    std::span<const Paused> take_remote_drained(IsCongested&& congested) {
        batch_.clear();
        std::erase_if(paused_, [&](const Paused& p) {
            if (p.remote_subscriber == 0 || batch_.size() >= kResumeBatch) return false;
            if (congested(p.remote_subscriber)) return false;
            batch_.push_back(p);
            --remote_waits_;
            return true;
        });
        return batch_;
    }

  private:
    ClientConnection* congested_subscriber_ = nullptr;
    SessionId congested_remote_ = 0;
    std::size_t remote_waits_ = 0;  // entries of paused_ with a remote_subscriber
    std::vector<Paused> paused_;    // oldest first
    std::vector<Paused> batch_;
};

}  // namespace akasa::broker
