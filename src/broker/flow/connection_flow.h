// Flow control of one connection, in both of its roles (the rules across connections:
// publisher_throttle.h, congested_sessions.h):
// - as the reader of its client: reading is held while its own output is full or an answer
//   it waits for (a hook's, a password check's) has not come, and paused while a subscriber
//   it feeds is congested, on this worker or on another;
// - as a subscriber: congested (the publishers feeding it pause) when its output or queue is
//   past the pause point, drained well below it, and stalled when congested for
//   kStalledAfter without draining (it then pauses nobody: its own limits drop its messages).
// State and decisions only: the connection applies them (its epoll interest, the worker's
// lists). 16 bytes a connection.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <utility>

#include "broker/routing/message.h"

namespace akasa::broker {

class ConnectionFlow {
  public:
    // Output above this many bytes (or half of max_output_buffer_bytes when that is less:
    // MessagePathLimits::output_pause) counts as "full": QoS 1/2 wait in the session queue,
    // the publishers feeding this client are paused (publisher_throttle.h), and reading from
    // this client pauses, whatever filled the output (answers, deliveries, the transport's
    // own replies such as WebSocket pongs), before CONNECT too. QoS 0 messages the paused
    // publishers had already sent are still taken up to max_output_buffer_bytes, then
    // dropped.
    static constexpr std::size_t kOutputPause = 1 << 20;
    // A subscriber congested this long without draining is stalled: it no longer pauses
    // the publishers feeding it.
    static constexpr std::chrono::seconds kStalledAfter{2};
    // A subscriber is congested (its publishers pause) when its queue reaches half its limit,
    // but the limit counted for that is at most this: the default queue. A deeper queue
    // does not make the subscriber take messages faster (its window is full either way); it
    // only adds latency and spreads each message's trip over more memory. Measured in
    // scenario b with a queue limit of 1,000,000 and 2 workers: median queueing time 39 ->
    // 4 ms and 12 % less broker CPU per message. Larger limits still serve offline sessions,
    // what is in transit to a paused publisher, and a stalled client's backlog.
    static constexpr std::size_t kCongestionQueueCap = 256;
    // A client that is not stalled takes up to this many times its queue limit of QoS 1/2
    // deliveries: they were acknowledged to publishers that are being paused (each adds one
    // message past the congestion at most; from other workers, what their worker routed
    // before it saw the congestion: publisher_throttle.h, congested_sessions.h). Dropping
    // them would lose acknowledged messages of a client that is only slow; a stalled one
    // gets the plain limit again. 32 x the default 256: a worker off the CPU for a few ms
    // while others route to it was measured to bring ~4,000 at once.
    static constexpr std::size_t kInTransitAllowance = 32;
    // Every remote pause is answered by a resume within kStalledAfter (its subscriber drains
    // or is declared stalled); this many 1-second ticks without one means it was lost with
    // its worker's session.
    static constexpr std::uint8_t kLostRemotePauseTicks = 5;

    // --- Reading ---

    bool input_paused() const { return held_ || for_subscribers_ || remote_pauses_ > 0; }
    // Held: by its own full output, or while an answer is awaited.
    bool held() const { return held_; }
    void hold() { held_ = true; }
    void release() { held_ = false; }
    // Holds reading when `unsent` output reached `pause_at`; true when that newly held it.
    bool hold_if_full(std::size_t unsent, std::size_t pause_at) {
        if (held_ || unsent < pause_at) return false;
        held_ = true;
        return true;
    }
    // A subscriber it feeds is congested: paused until that one drains. True when newly.
    bool paused_for_subscribers() const { return for_subscribers_; }
    bool pause_for_subscribers() { return !std::exchange(for_subscribers_, true); }
    bool resume_for_subscribers() { return std::exchange(for_subscribers_, false); }
    // A subscriber on another worker it feeds is congested (`pause`) or drained.
    void remote_pause(bool pause) {
        remote_pause_ticks_ = 0;
        if (pause) {
            if (remote_pauses_ < UINT8_MAX) ++remote_pauses_;
        } else if (remote_pauses_ > 0) {
            --remote_pauses_;
        }
    }
    bool remote_paused() const { return remote_pauses_ > 0; }
    // Once a second: remote pauses whose resume did not come are given up (true: reading
    // may resume), so that a lost resume cannot hang the client.
    bool give_up_lost_remote_pauses() {
        if (remote_pauses_ == 0 || ++remote_pause_ticks_ < kLostRemotePauseTicks) return false;
        remote_pauses_ = 0;
        return true;
    }

    // --- When the worker falls behind on this client ---

    // A read pass that stopped at the worker's routing budget (Worker::kRoutingBudget)
    // leaves the worker behind on this client; a read that empties the socket, with all of
    // it handled, ends that.
    // Behind without a break for kShedAfter, the worker cannot keep up with what this client
    // sends: routing it late would make every later message late too, so the QoS 0
    // PUBLISHes of the rest of such a pass are dropped unrouted and counted
    // (ClientConnection::shed_rest_if_behind). QoS 1/2 never are: their publishers wait for
    // acknowledgements, which is their back-pressure.
    static constexpr std::chrono::milliseconds kShedAfter{250};
    // A pass stopped at the budget at `now`: true when behind since kShedAfter ago or more.
    bool fell_behind(Clock::time_point now) {
        const auto ms = static_cast<std::uint16_t>(
            std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() |
            1);
        if (behind_since_ms_ == 0) {
            behind_since_ms_ = ms;
            return false;
        }
        return static_cast<std::uint16_t>(ms - behind_since_ms_) >= kShedAfter.count();
    }
    void caught_up() { behind_since_ms_ = 0; }

    // --- As a subscriber ---

    // What the congestion checks look at.
    struct Load {
        std::size_t output = 0;        // output the client has not taken
        std::size_t output_pause = 0;  // where that counts as full
        std::size_t queued = 0;        // deliveries waiting in its session's queue
        std::size_t queue_cap = 0;     // the queue limit congestion counts (congestion_queue)
        bool has_session = false;
    };
    static std::size_t congestion_queue(std::size_t queue_limit) {
        return std::min(queue_limit, kCongestionQueueCap);
    }
    static bool congested(const Load& load) {
        if (load.output >= load.output_pause) return true;
        if (!load.has_session) return false;
        return load.queue_cap >= 2 && load.queued >= load.queue_cap / 2;
    }
    static bool drained(const Load& load) {
        if (load.output >= load.output_pause / 2) return false;
        return !load.has_session || load.queued < load.queue_cap / 4;
    }

    bool congested_now() const { return since_ != Clock::time_point{}; }
    bool stalled(Clock::time_point now) const {
        return congested_now() && now - since_ >= kStalledAfter;
    }
    // A delivery found this subscriber congested at `now`. True: the publisher being read
    // pauses for it (it has reported congestion). False: it has been congested for
    // kStalledAfter without draining, so it pauses nobody from now on; `was_reported` then
    // says whether publishers waited for it (to be resumed all at once).
    bool congestion_seen(Clock::time_point now, bool& was_reported) {
        if (!congested_now()) {
            since_ = now;
        } else if (now - since_ >= kStalledAfter) {
            was_reported = std::exchange(reported_, false);
            return false;
        }
        reported_ = true;
        return true;
    }
    // The client took `bytes` of its output: slow, not stalled, so its stall clock restarts
    // (a busy fan-in subscriber may stay above the drained mark for long while it reads).
    void took_output(std::size_t bytes, Clock::time_point now) {
        if (bytes > 0 && congested_now()) since_ = now;
    }
    // Drained: the congestion ends. True when it was congested.
    bool end_congestion() {
        return std::exchange(since_, Clock::time_point{}) != Clock::time_point{};
    }
    // Publishers wait for it (it reported congestion and was not resumed for all yet).
    bool reported() const { return reported_; }
    void set_reported(bool reported) { reported_ = reported; }
    // Listed in the broker's congested sessions (congested_sessions.h); true when changed.
    bool listed() const { return listed_; }
    bool set_listed(bool listed) { return std::exchange(listed_, listed) != listed; }

  private:
    Clock::time_point since_{};  // start of the current congestion; {} when none
    bool held_ = false;
    bool for_subscribers_ = false;
    bool reported_ = false;
    bool listed_ = false;
    // When the worker fell behind on this client: a millisecond clock modulo 65,536, odd
    // (0: not behind). Shedding starts within 250 ms of it, long before it could wrap.
    std::uint16_t behind_since_ms_ = 0;
    std::uint8_t remote_pauses_ = 0;       // one per pause another worker sent, less its resumes
    std::uint8_t remote_pause_ticks_ = 0;  // ticks since the last remote pause / resume
};

}  // namespace akasa::broker
