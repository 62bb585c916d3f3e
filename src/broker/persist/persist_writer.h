// One worker's writes to the persistent store. Every change the worker makes to durable
// state during one generation (a few busy loop iterations: Worker::advance_persistence)
// goes into one StoreBatch, which is written at the end of the NEXT generation (advance()),
// or at once when something cannot wait (commit()). An acknowledgement (PUBACK, PUBREC, PUBCOMP,
// SUBACK, CONNACK, PUBREL) waits until the generation it was written in is written
// (ClientConnection:: waits_for_store), and deliveries go to other workers only after a commit():
// so none reaches a client before the write it stands for is in the store, and the promise of
// docs/persistence.md holds without a write per message.
//
// Why two generations: a QoS 0/1 PUBLISH to a subscriber leaves at once (a crash before the
// write means its publisher was not acknowledged and sends it again), so an online
// subscriber's PUBACK usually arrives a few iterations later, while the records it ends are
// still unwritten: the queued copy, the inflight record and its removal cancel out
// (store_batch.h) and the message costs no write at all.
//
// With persistence off the worker holds a null writer (no Persistence): every call records
// nothing. Only stored sessions are written: those with a Session Expiry Interval other than 0 (a
// clean session ends with its connection, so storing it would promise nothing). Retained
// messages are always written. Owner thread only.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "broker/persist/persist_store.h"
#include "broker/routing/message.h"
#include "broker/session/outbox.h"
#include "broker/session/session.h"
#include "store/store_batch.h"

namespace akasa::broker {

class PersistWriter {
  public:
    // `persistence` null: persistence is off, and this is a null writer that records nothing
    // (every call returns at once, nothing is ever pending), so callers need no check.
    explicit PersistWriter(Persistence* persistence) : persistence_(persistence) {}

    bool enabled() const { return persistence_ != nullptr; }

    // A retained message set (message) or cleared (null) for `topic`.
    void retained_changed(std::string_view topic, const MessagePtr& message, Clock::time_point now);

    // The publisher's side of a QoS 1/2 delivery to `target`, before the publisher is
    // acknowledged: a queued copy for a stored session (on any worker), its seq in
    // delivery.store_seq. `local` is the session when it lives on this worker.
    void routed(SessionId target, const Session* local, Delivery& delivery, Clock::time_point now);
    // A delivery with a stored copy left the session's queue without being sent (queue full).
    void queued_dropped(Session& session, const Delivery& delivery);

    // The session was attached to a connection (CONNECT accepted): stores it when its expiry
    // is not 0, with the will of the connection (published after a crash, as for any
    // connection that ends without DISCONNECT).
    void session_connected(Session& session, const MessagePtr& will, std::uint32_t will_delay,
                           Clock::time_point now);
    // The connection ended and the session stays: when it ended, and the will still waiting
    // for its delay, so both keep counting across a restart.
    void session_disconnected(Session& session, Clock::time_point now);
    // The session is gone: its record and everything under it.
    void session_ended(Session& session);

    void subscribed(Session& session, std::string_view filter, const StoredSubscription& sub);
    void unsubscribed(Session& session, std::string_view filter);

    // Outbound QoS 1/2: a PUBLISH sent (its queued copy becomes an inflight record), PUBREC
    // received (only the packet id stays), PUBACK/PUBCOMP received or the message discarded.
    void inflight_started(Session& session, const InflightEntry& entry, Clock::time_point now);
    void inflight_released(Session& session, std::uint16_t packet_id);
    void inflight_completed(Session& session, std::uint16_t packet_id);

    // Inbound QoS 2: PUBLISH received (before PUBREC), PUBREL received (before PUBCOMP).
    void qos2_received(Session& session, std::uint16_t packet_id);
    void qos2_released(Session& session, std::uint16_t packet_id);

    // Nothing is waiting to be written.
    bool empty() const { return older_.empty() && newer_.empty(); }
    // The current generation, and whether what was written in `generation` is not yet in
    // the store.
    std::uint64_t generation() const { return generation_; }
    bool pending(std::uint64_t generation) const { return generation > committed_ && !empty(); }
    // End of a loop iteration: writes the previous generation, starts a new one.
    store::Status advance();
    // Writes everything now. On failure (either way) the open batches are dropped: what they
    // held is not acknowledged.
    store::Status commit();

  private:
    store::Status write(store::StoreBatch& batch);
    store::Status fail(const store::Status& status);

    Persistence* persistence_;
    store::StoreBatch older_;  // generation_ - 1, written by the next advance()
    store::StoreBatch newer_;  // generation_
    std::uint64_t generation_ = 1;
    std::uint64_t committed_ = 0;  // every generation up to this one is in the store
    std::string client_scratch_;   // routed(): the client id of a remote session
    // Reused for every message, so the per-message path does not allocate once warm.
    store::MessageRecord record_scratch_;
    store::InflightRecord inflight_scratch_;
};

}  // namespace akasa::broker
