#include "broker/session/outbox.h"

#include <algorithm>

namespace akasa::broker {

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
    return true;
}

std::optional<Delivery> Outbox::next_pending(Clock::time_point now, std::size_t& expired) {
    if (!queues_) return std::nullopt;
    auto& pending = queues_->pending;
    while (!pending.empty()) {
        Delivery d = std::move(pending.front());
        pending.pop_front();
        queues_->pending_bytes -= d.message->size;
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
        queues_->pending_bytes -= d.message->size;
        return true;
    });
}

}  // namespace akasa::broker
