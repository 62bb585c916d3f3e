// The outgoing half of a session's QoS state: messages sent at QoS 1/2 and not yet
// acknowledged (the inflight window), and messages waiting for room in that window or for
// the client to come back (the pending queue). Pure logic, no I/O: the connection asks what
// to send and reports acknowledgements.
//
// With persistence, a stored session's queue has two parts: the head, in memory (the
// pending deliveries), and behind it the stored-only tail: deliveries whose one copy is the
// queued record in the store (spill()), read back into the head, in seq order, as the head
// drains (Worker::refill_queue, docs/persistence.md "Queued messages"). Once the tail is not
// empty every new delivery joins it, so the order stays the order of arrival.
//
//   Outbox box;
//   if (box.has_window_room(window)) { auto& e = box.start(std::move(d), now); send(e); }
//   else if (!box.enqueue(std::move(d), limit)) count_drop();
//   box.acknowledge(PacketType::PubAck, id);        // frees the id, the window slot
//   while (box.has_window_room(window)) if (auto d = box.next_pending(now)) ... else break;
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "broker/routing/message.h"
#include "broker/session/packet_id_allocator.h"
#include "broker/session/queue_budget.h"
#include "broker/session/ring_queue.h"
#include "mqtt/types.h"

namespace akasa::broker {

// One message on its way to one session, at the QoS and retain flag that session gets.
struct Delivery {
    MessagePtr message;
    mqtt::QoS qos = mqtt::QoS::AtMostOnce;
    bool retain = false;
    // Shared subscriptions: the tag of the share group this delivery came through when it
    // came through that one subscription only (mqtt5/shared_redispatch.h); 0 otherwise.
    // Such a delivery may move to another member of the group when this one goes away.
    std::uint32_t shared_group = 0;
    std::vector<std::uint32_t> subscription_ids;  // v5; empty (no allocation) when none
    // Persistence: the seq of this delivery's queued copy in the store (persist_writer.h);
    // 0 when none is stored.
    std::uint64_t store_seq = 0;
};

struct InflightEntry {
    enum class Stage : std::uint8_t {
        AwaitPubAckOrPubRec,  // PUBLISH sent (QoS 1: PUBACK ends it; QoS 2: PUBREC follows)
        AwaitPubComp,         // QoS 2: PUBREL sent
    };
    std::uint16_t packet_id = 0;
    Stage stage = Stage::AwaitPubAckOrPubRec;
    Delivery delivery;
    Clock::time_point sent_at;
};

class Outbox {
  public:
    Outbox() = default;
    Outbox(const Outbox&) = delete;
    Outbox& operator=(const Outbox&) = delete;
    ~Outbox();

    // Every byte queued from now on is charged to `budget` (null: none), which must outlive
    // this outbox. Set while the queue is empty.
    void use_budget(QueueBudget* budget) { budget_ = budget; }

    // Result of an acknowledgement from the client.
    enum class AckResult : std::uint8_t {
        Completed,    // PUBACK / PUBCOMP: the id and the window slot are free
        Released,     // PUBREC: now waiting for PUBCOMP, answer with PUBREL
        UnknownId,    // not inflight (duplicate or wrong id)
        WrongPacket,  // e.g. PUBACK for a QoS 2 message
    };

    bool has_window_room(std::size_t window) const { return inflight_size() < window; }

    // Moves a QoS 1/2 delivery into the window with a fresh packet id. Needs window room
    // and a free id (always true while the window is below 65,535).
    InflightEntry& start(Delivery&& delivery, Clock::time_point now);

    // Puts back an inflight entry recovered from the persistent store, with its original
    // packet id (which must not be in use) and stage; appended in resend order.
    InflightEntry& restore(std::uint16_t packet_id, InflightEntry::Stage stage, Delivery&& delivery,
                           Clock::time_point now);

    // Queues a delivery; false (and nothing queued, `delivery` intact) when `limit` entries
    // are queued already, or when its message would take the queued bytes past `byte_limit`
    // (an empty queue takes one message whatever its size: a limit below the largest
    // message must not make that message undeliverable to a client that waits for it).
    bool enqueue(Delivery&& delivery, std::size_t limit, std::size_t byte_limit = SIZE_MAX);

    // The oldest pending delivery that has not expired; expired ones are dropped and
    // counted in `expired`.
    std::optional<Delivery> next_pending(Clock::time_point now, std::size_t& expired);
    // The pending delivery `offset` places from the front (0: the oldest).
    const Delivery& pending_at(std::size_t offset) const { return queues_->pending[offset]; }
    // What a queued delivery of `message` counts in a QueueBudget: the message's bytes (as
    // max_in_mem_pending_bytes counts them) and the delivery's own slot in the queue.
    static std::size_t budget_cost(const Message& message) {
        return message.size + sizeof(Delivery);
    }
    // The oldest pending delivery (expired or not), or null.
    const Delivery* front_pending() const {
        return pending_size() > 0 ? &queues_->pending.front() : nullptr;
    }

    AckResult acknowledge(mqtt::PacketType type, std::uint16_t packet_id);

    // Removes an inflight entry without an acknowledgement (e.g. a message too large for
    // the client); false if unknown.
    bool discard(std::uint16_t packet_id);

    // Inflight entries in the order they were first sent (resend order [MQTT-4.6.0-1]).
    RingQueue<InflightEntry>& inflight() { return queues().inflight; }
    std::size_t inflight_size() const { return queues_ ? queues_->inflight.size() : 0; }
    std::size_t pending_size() const { return queues_ ? queues_->pending.size() : 0; }
    // Message bytes (Message::size) of the pending deliveries.
    std::size_t pending_bytes() const { return queues_ ? queues_->pending_bytes : 0; }
    bool empty() const {
        return inflight_size() == 0 && pending_size() == 0 && stored_only_size() == 0;
    }

    // --- The stored-only tail (persistence) ---
    // Deliveries queued only in the store, behind the pending ones.
    std::size_t stored_only_size() const { return queues_ ? queues_->stored_only : 0; }
    // Pending in memory and stored only: the session's whole queue.
    std::size_t queued_size() const { return pending_size() + stored_only_size(); }
    bool has_queued() const { return queued_size() > 0; }
    // The delivery whose queued record has seq `seq` joins the tail (its in-memory copy is
    // dropped by the caller).
    void spill(std::uint64_t seq);
    // Where reading the tail back starts: no record of it has a smaller seq (0: no tail).
    std::uint64_t stored_from() const { return queues_ ? queues_->stored_from : 0; }
    // Records of the tail were read back into the pending queue: `taken` of them, and every
    // record below `next_from` was seen. `exhausted`: the store holds no queued record of
    // the session from `next_from` on, so the tail is empty whatever its count said.
    void took_from_store(std::size_t taken, std::uint64_t next_from, bool exhausted);
    // How many records to read back now: the room left in a head of `head_limit` deliveries,
    // once the head is down to half of it (so a refill reads many at a time); 0 when there
    // is no tail.
    std::size_t refill_wanted(std::size_t head_limit) const;
    // Queues a delivery read back from the store at the head's end, whatever the limits
    // (refill_wanted() bounded how many).
    void push_refilled(Delivery&& delivery);

    // Drops every QoS 0 message still queued (they are not kept for offline sessions).
    void drop_pending_qos0();

    // Removes the pending deliveries `take(Delivery&)` returns true for, keeping the order
    // of the others; `take` may move from the ones it takes (they are destroyed after).
    // For handing deliveries to another session (mqtt5/shared_redispatch.h).
    template <class Take>
    void take_pending_if(Take take) {
        if (!queues_) return;
        queues_->pending.erase_if([&](Delivery& delivery) {
            const std::size_t size = delivery.message->size;  // `take` may move it out
            if (!take(delivery)) return false;
            unqueued(size);
            return true;
        });
    }
    // The same for inflight entries (`take(InflightEntry&)`); their packet ids are freed.
    template <class Take>
    void take_inflight_if(Take take) {
        if (!queues_) return;
        queues_->inflight.erase_if([&](InflightEntry& entry) {
            if (!take(entry)) return false;
            ids_.release(entry.packet_id);
            return true;
        });
    }

  private:
    RingQueue<InflightEntry>::iterator find(std::uint16_t packet_id);

    // A delivery of `size` message bytes left the pending queue.
    void unqueued(std::size_t size) {
        queues_->pending_bytes -= size;
        if (budget_) budget_->credit(size + sizeof(Delivery));
    }

    // Allocated on first use: most sessions (QoS 0 only, or idle) never need these.
    struct Queues {
        RingQueue<InflightEntry> inflight;
        RingQueue<Delivery> pending;
        std::size_t pending_bytes = 0;
        std::size_t stored_only = 0;    // the stored-only tail: how many
        std::uint64_t stored_from = 0;  // ... and the seq its reading starts from
    };
    Queues& queues() {
        if (!queues_) queues_ = std::make_unique<Queues>();
        return *queues_;
    }

    PacketIdAllocator ids_;
    std::unique_ptr<Queues> queues_;
    QueueBudget* budget_ = nullptr;
};

}  // namespace akasa::broker
