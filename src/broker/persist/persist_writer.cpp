#include "broker/persist/persist_writer.h"

#include "broker/persist/persist_codec.h"

namespace akasa::broker {
namespace {

using persist::ClockPair;

// Seconds left until `deadline`, rounded up, never negative.
std::uint32_t seconds_left(Clock::time_point deadline, Clock::time_point now) {
    const auto left = std::chrono::ceil<std::chrono::seconds>(deadline - now).count();
    return left > 0 ? static_cast<std::uint32_t>(left) : 0;
}

store::WillRecord will_record(const Message& will, std::uint32_t delay, Clock::time_point now) {
    store::WillRecord record;
    record.topic = will.topic;
    record.payload = will.payload;
    record.qos = static_cast<std::uint8_t>(will.qos);
    record.retain = will.retain;
    record.properties = persist::encode_properties(will.properties.get(), {});
    record.delay_interval_s = delay;
    // Counted from the will's publication (mqtt5_message_expiry.h), so kept as an interval.
    if (will.will_expiry_interval) {
        record.message_expiry_interval_s = *will.will_expiry_interval;
    } else if (will.expires_at) {
        record.message_expiry_interval_s = seconds_left(*will.expires_at, now);
    }
    return record;
}

store::SessionRecord session_record(const Session& session) {
    store::SessionRecord record;
    record.client_id = session.client_id();
    record.protocol_version = static_cast<std::uint8_t>(session.version);
    record.expiry_interval_s = session.expiry_interval;
    record.owner_known = !session.owner_unknown;
    if (session.owner) record.owner = *session.owner;
    return record;
}

}  // namespace

void PersistWriter::retained_changed(std::string_view topic, const MessagePtr& message,
                                     Clock::time_point now) {
    if (!persistence_) return;  // persistence off: a null writer
    if (message) {
        newer_.put_retained(persist::to_record(*message, ClockPair::now(now)));
    } else {
        newer_.erase_retained(topic);
    }
}

void PersistWriter::routed(SessionId target, const Session* local, Delivery& delivery,
                           Clock::time_point now) {
    if (!persistence_) return;  // persistence off: a null writer
    const std::string* client_id = nullptr;
    if (local) {
        if (!local->stored) return;
        client_id = &local->client_id();
    } else {
        if (!persistence_->stored_client(target, client_scratch_)) return;
        client_id = &client_scratch_;
    }
    const std::uint64_t seq = persistence_->next_seq();
    persist::fill_record(record_scratch_, delivery, now);
    newer_.append_queued(*client_id, seq, record_scratch_);
    delivery.store_seq = seq;
}

void PersistWriter::queued_dropped(Session& session, const Delivery& delivery) {
    if (!persistence_) return;  // persistence off: a null writer
    if (session.stored && delivery.store_seq != 0)
        newer_.remove_queued(session.client_id(), delivery.store_seq, &older_);
}

void PersistWriter::session_connected(Session& session, const MessagePtr& will,
                                      std::uint32_t will_delay, Clock::time_point now) {
    if (!persistence_) return;  // persistence off: a null writer
    if (session.expiry_interval == 0) {
        // Resumed with expiry 0: it now ends with this connection, so it is no longer kept.
        session_ended(session);
        return;
    }
    auto record = session_record(session);
    if (will) record.will = will_record(*will, will_delay, now);
    newer_.put_session(record);
    if (!session.stored) {
        session.stored = true;
        persistence_->add_session(session.id(), session.client_id());
    }
}

void PersistWriter::session_disconnected(Session& session, Clock::time_point now) {
    if (!persistence_) return;  // persistence off: a null writer
    if (!session.stored) return;
    const auto clocks = ClockPair::now(now);
    auto record = session_record(session);
    record.disconnected_at = clocks.wall;
    if (session.delayed_will) {
        record.will =
            will_record(*session.delayed_will, seconds_left(session.delayed_will_at, now), now);
    }
    newer_.put_session(record);
}

void PersistWriter::session_ended(Session& session) {
    if (!persistence_) return;  // persistence off: a null writer
    if (!session.stored) return;
    newer_.erase_session(session.client_id());
    persistence_->remove_session(session.id());
    session.stored = false;
}

void PersistWriter::subscribed(Session& session, std::string_view filter,
                               const StoredSubscription& sub) {
    if (!persistence_) return;  // persistence off: a null writer
    if (!session.stored) return;
    store::SubscriptionRecord record;
    record.filter = filter;
    record.qos = static_cast<std::uint8_t>(sub.options.qos);
    record.no_local = sub.options.no_local;
    record.retain_as_published = sub.options.retain_as_published;
    record.retain_handling = sub.options.retain_handling;
    if (sub.identifier != 0) record.identifier = sub.identifier;
    newer_.put_subscription(session.client_id(), record);
}

void PersistWriter::unsubscribed(Session& session, std::string_view filter) {
    if (!persistence_) return;  // persistence off: a null writer
    if (session.stored) newer_.erase_subscription(session.client_id(), filter);
}

void PersistWriter::inflight_started(Session& session, const InflightEntry& entry,
                                     Clock::time_point now) {
    if (!persistence_) return;  // persistence off: a null writer
    if (!session.stored) return;
    if (entry.delivery.store_seq != 0)
        newer_.remove_queued(session.client_id(), entry.delivery.store_seq, &older_);
    inflight_scratch_.packet_id = entry.packet_id;
    inflight_scratch_.state = store::InflightState::PublishSent;
    persist::fill_record(inflight_scratch_.message, entry.delivery, now);
    newer_.put_inflight(session.client_id(), inflight_scratch_, &older_);
}

void PersistWriter::inflight_released(Session& session, std::uint16_t packet_id) {
    if (!persistence_) return;  // persistence off: a null writer
    if (!session.stored) return;
    store::InflightRecord record;
    record.packet_id = packet_id;
    record.state = store::InflightState::PubrelSent;
    newer_.put_inflight(session.client_id(), record, &older_);
}

void PersistWriter::inflight_completed(Session& session, std::uint16_t packet_id) {
    if (!persistence_) return;  // persistence off: a null writer
    if (session.stored) newer_.erase_inflight(session.client_id(), packet_id, &older_);
}

void PersistWriter::qos2_received(Session& session, std::uint16_t packet_id) {
    if (!persistence_) return;  // persistence off: a null writer
    if (session.stored) newer_.set_qos2_received(session.client_id(), packet_id);
}

void PersistWriter::qos2_released(Session& session, std::uint16_t packet_id) {
    if (!persistence_) return;  // persistence off: a null writer
    if (session.stored) newer_.clear_qos2_received(session.client_id(), packet_id);
}

store::Status PersistWriter::write(store::StoreBatch& batch) {
    if (!persistence_) return {};
    store::Status status;
    if (!batch.empty()) status = persistence_->store().write(batch);
    batch.clear();  // also on failure: what failed is not acknowledged
    return status;
}

store::Status PersistWriter::advance() {
    if (empty()) {  // everything cancelled out: nothing to wait for
        older_.clear();
        newer_.clear();
        committed_ = generation_++;
        return {};
    }
    store::Status status = write(older_);
    if (!status.ok()) return fail(status);
    if (newer_.empty()) {
        newer_.clear();  // what was added cancelled out
        committed_ = generation_;
    } else {
        std::swap(older_, newer_);
        committed_ = generation_ - 1;
    }
    ++generation_;
    return status;
}

store::Status PersistWriter::commit() {
    store::Status status = write(older_);
    if (status.ok()) status = write(newer_);
    if (!status.ok()) return fail(status);
    committed_ = generation_++;
    return status;
}

store::Status PersistWriter::fail(const store::Status& status) {
    older_.clear();
    newer_.clear();
    committed_ = generation_++;
    return status;
}

}  // namespace akasa::broker
