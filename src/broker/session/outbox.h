// The outgoing half of a session's QoS state: messages sent at QoS 1/2 and not yet
// acknowledged (the inflight window), and messages waiting for room in that window or for
// the client to come back (the pending queue). Pure logic, no I/O: the connection asks what
// to send and reports acknowledgements.
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
    bool empty() const { return inflight_size() == 0 && pending_size() == 0; }

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
            queues_->pending_bytes -= size;
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

    // Allocated on first use: most sessions (QoS 0 only, or idle) never need these.
    struct Queues {
        RingQueue<InflightEntry> inflight;
        RingQueue<Delivery> pending;
        std::size_t pending_bytes = 0;
    };
    Queues& queues() {
        if (!queues_) queues_ = std::make_unique<Queues>();
        return *queues_;
    }

    PacketIdAllocator ids_;
    std::unique_ptr<Queues> queues_;
};

}  // namespace akasa::broker
