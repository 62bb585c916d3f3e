#include "broker/session/outbox.h"

#include <algorithm>

namespace akasa::broker {

Outbox::~Outbox() {
    if (budget_ && queues_)
        budget_->credit(queues_->pending_bytes + queues_->pending.size() * sizeof(Delivery));
}

InflightEntry& Outbox::start(Delivery&& delivery, Clock::time_point now) {
    // The window never reaches 65,535 entries (Receive Maximum is a 16-bit value), so an id
    // is always free.
    auto id = ids_.allocate();
    auto& entry = queues().inflight.emplace_back();
    entry.packet_id = id.value_or(0);
    entry.delivery = std::move(delivery);
    entry.sent_at = now;
    return entry;
}

InflightEntry& Outbox::restore(std::uint16_t packet_id, InflightEntry::Stage stage,
                               Delivery&& delivery, Clock::time_point now) {
    ids_.mark_used(packet_id);
    auto& entry = queues().inflight.emplace_back();
    entry.packet_id = packet_id;
    entry.stage = stage;
    entry.delivery = std::move(delivery);
    entry.sent_at = now;
    return entry;
}

bool Outbox::enqueue(Delivery&& delivery, std::size_t limit, std::size_t byte_limit) {
    const std::size_t count = pending_size();
    const std::size_t size = delivery.message->size;
    if (count >= limit) return false;
    if (count > 0 && queues_->pending_bytes + size > byte_limit) return false;
    auto& queues = this->queues();
    queues.pending.push_back(std::move(delivery));
    queues.pending_bytes += size;
    if (budget_) budget_->charge(size + sizeof(Delivery));
    return true;
}

void Outbox::push_refilled(Delivery&& delivery) {
    const std::size_t size = delivery.message->size;
    auto& queues = this->queues();
    queues.pending.push_back(std::move(delivery));
    queues.pending_bytes += size;
    if (budget_) budget_->charge(size + sizeof(Delivery));
}

void Outbox::spill(std::uint64_t seq) {
    auto& queues = this->queues();
    // Seqs come from one counter for all workers, so a delivery from another worker may
    // carry a smaller seq than one spilled before it: reading starts at the smallest.
    queues.stored_from = queues.stored_only == 0 ? seq : std::min(queues.stored_from, seq);
    ++queues.stored_only;
}

void Outbox::took_from_store(std::size_t taken, std::uint64_t next_from, bool exhausted) {
    if (!queues_) return;
    auto& queues = *queues_;
    queues.stored_only -= std::min(taken, queues.stored_only);
    queues.stored_from = std::max(queues.stored_from, next_from);
    if (exhausted || queues.stored_only == 0) {
        queues.stored_only = 0;
        queues.stored_from = 0;
    }
}

std::size_t Outbox::refill_wanted(std::size_t head_limit) const {
    if (stored_only_size() == 0) return 0;
    const std::size_t head = pending_size();
    const std::size_t limit = std::max<std::size_t>(head_limit, 1);
    if (head > limit / 2) return 0;
    return limit - head;
}

std::optional<Delivery> Outbox::next_pending(Clock::time_point now, std::size_t& expired) {
    if (!queues_) return std::nullopt;
    auto& pending = queues_->pending;
    while (!pending.empty()) {
        Delivery d = std::move(pending.front());
        pending.pop_front();
        unqueued(d.message->size);
        if (d.message->expired(now)) {
            ++expired;
            continue;
        }
        return d;
    }
    return std::nullopt;
}

RingQueue<InflightEntry>::iterator Outbox::find(std::uint16_t packet_id) {
    // Acknowledgements mostly arrive in order: the match is usually the first entry.
    auto& inflight = queues().inflight;
    return std::find_if(inflight.begin(), inflight.end(),
                        [&](const InflightEntry& e) { return e.packet_id == packet_id; });
}

Outbox::AckResult Outbox::acknowledge(mqtt::PacketType type, std::uint16_t packet_id) {
    if (inflight_size() == 0) return AckResult::UnknownId;
    auto it = find(packet_id);
    if (it == queues_->inflight.end()) return AckResult::UnknownId;
    const bool qos2 = it->delivery.qos == mqtt::QoS::ExactlyOnce;
    switch (type) {
        case mqtt::PacketType::PubAck:
            if (qos2 || it->stage != InflightEntry::Stage::AwaitPubAckOrPubRec)
                return AckResult::WrongPacket;
            break;
        case mqtt::PacketType::PubRec:
            if (!qos2) return AckResult::WrongPacket;
            // A repeated PUBREC (after we resent PUBREL) is answered with PUBREL again.
            it->stage = InflightEntry::Stage::AwaitPubComp;
            // The message itself is no longer needed: only the id is in flight now.
            it->delivery.message.reset();
            return AckResult::Released;
        case mqtt::PacketType::PubComp:
            if (it->stage != InflightEntry::Stage::AwaitPubComp) return AckResult::WrongPacket;
            break;
        default:
            return AckResult::WrongPacket;
    }
    ids_.release(packet_id);
    queues_->inflight.erase(it);
    return AckResult::Completed;
}

bool Outbox::discard(std::uint16_t packet_id) {
    if (inflight_size() == 0) return false;
    auto it = find(packet_id);
    if (it == queues_->inflight.end()) return false;
    ids_.release(packet_id);
    queues_->inflight.erase(it);
    return true;
}

void Outbox::drop_pending_qos0() {
    if (!queues_) return;
    queues_->pending.erase_if([&](const Delivery& d) {
        if (d.qos != mqtt::QoS::AtMostOnce) return false;
        unqueued(d.message->size);
        return true;
    });
}

}  // namespace akasa::broker
