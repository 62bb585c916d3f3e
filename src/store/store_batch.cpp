#include "store/store_batch.h"

#include <algorithm>
#include <functional>

#include <fmt/format.h>

#include "store/key_schema.h"
#include "store/record_codec.h"

namespace akasa::store {

void StoreBatch::put_retained(const MessageRecord& message) {
    add(Op::Type::Put, retained_key(message.topic), encode_retained(message));
}

void StoreBatch::erase_retained(std::string_view topic) {
    add(Op::Type::Delete, retained_key(topic), {});
}

void StoreBatch::put_session(const SessionRecord& session) {
    if (!check_client_id(session.client_id)) return;
    add(Op::Type::Put, session_key(session.client_id), encode_session(session));
}

void StoreBatch::erase_session(std::string_view client_id) {
    if (!check_client_id(client_id)) return;
    KeyRange range = session_range(client_id);
    add(Op::Type::DeleteRange, std::move(range.begin), std::move(range.end));
}

void StoreBatch::put_subscription(std::string_view client_id,
                                  const SubscriptionRecord& subscription) {
    if (!check_client_id(client_id)) return;
    add(Op::Type::Put, subscription_key(client_id, subscription.filter),
        encode_subscription(subscription));
}

void StoreBatch::erase_subscription(std::string_view client_id, std::string_view filter) {
    if (!check_client_id(client_id)) return;
    add(Op::Type::Delete, subscription_key(client_id, filter), {});
}

void StoreBatch::append_queued(std::string_view client_id, std::uint64_t seq,
                               const MessageRecord& message) {
    if (!check_client_id(client_id)) return;
    Op& op = next_op(Op::Type::Put);
    queued_key(op.key, client_id, seq);
    encode_queued(message, op.value);
    added(op);
    register_fresh();
}

void StoreBatch::remove_queued(std::string_view client_id, std::uint64_t seq, StoreBatch* earlier) {
    if (!check_client_id(client_id)) return;
    queued_key(scratch_key_, client_id, seq);
    // The common case of a message routed to an online persistent session and sent before
    // the batch is written: nothing of it reaches the store.
    if (cancel_fresh(scratch_key_) || (earlier && earlier->cancel_fresh(scratch_key_))) return;
    Op& op = next_op(Op::Type::Delete);
    op.key = scratch_key_;
    added(op);
}

void StoreBatch::put_inflight(std::string_view client_id, const InflightRecord& inflight,
                              StoreBatch* earlier) {
    if (!check_client_id(client_id)) return;
    if (inflight.state == InflightState::PublishSent) {
        Op& op = next_op(Op::Type::Put);
        inflight_key(op.key, client_id, inflight.packet_id);
        encode_inflight(inflight, op.value);
        added(op);
        register_fresh();
        return;
    }
    inflight_key(scratch_key_, client_id, inflight.packet_id);
    if (extend_fresh(scratch_key_, inflight) ||
        (earlier && earlier->extend_fresh(scratch_key_, inflight))) {
        return;
    }
    Op& op = next_op(Op::Type::Put);
    op.key = scratch_key_;
    encode_inflight(inflight, op.value);
    added(op);
}

void StoreBatch::erase_inflight(std::string_view client_id, std::uint16_t packet_id,
                                StoreBatch* earlier) {
    if (!check_client_id(client_id)) return;
    inflight_key(scratch_key_, client_id, packet_id);
    // Acknowledged before its batch was written: the usual fate of a QoS 1 message to an
    // online persistent session.
    if (cancel_fresh(scratch_key_) || (earlier && earlier->cancel_fresh(scratch_key_))) return;
    Op& op = next_op(Op::Type::Delete);
    op.key = scratch_key_;
    added(op);
}

void StoreBatch::set_qos2_received(std::string_view client_id, std::uint16_t packet_id) {
    if (!check_client_id(client_id)) return;
    add(Op::Type::Put, qos2_received_key(client_id, packet_id), encode_qos2_received());
}

void StoreBatch::clear_qos2_received(std::string_view client_id, std::uint16_t packet_id) {
    if (!check_client_id(client_id)) return;
    add(Op::Type::Delete, qos2_received_key(client_id, packet_id), {});
}

void StoreBatch::clear() {
    count_ = 0;
    if (ops_.size() > kKeptOps) ops_.resize(kKeptOps);
    for (std::uint32_t slot : fresh_used_)
        fresh_[slot] = FreshSlot{};
    fresh_used_.clear();
    live_ = 0;
    bytes_ = 0;
    status_ = Status{};
}

bool StoreBatch::check_client_id(std::string_view client_id) {
    if (client_id.size() <= kMaxClientIdLength) return true;
    if (status_.ok()) {
        status_ = Status::invalid_argument(fmt::format(
            "client id of {} bytes is longer than an MQTT string (65535)", client_id.size()));
    }
    return false;
}

StoreBatch::Op& StoreBatch::next_op(Op::Type type) {
    if (count_ == ops_.size()) ops_.emplace_back();
    Op& op = ops_[count_++];
    op.type = type;
    op.key.clear();
    op.value.clear();
    op.next_same_key = kNoOp;
    return op;
}

void StoreBatch::added(const Op& op) {
    bytes_ += op.key.size() + op.value.size();
    ++live_;
}

void StoreBatch::add(Op::Type type, std::string key, std::string value) {
    Op& op = next_op(type);
    op.key = std::move(key);
    op.value = std::move(value);
    added(op);
}

StoreBatch::FreshSlot* StoreBatch::find_fresh(const std::string& key, std::uint64_t hash) {
    if (fresh_.empty()) return nullptr;
    const std::size_t mask = fresh_.size() - 1;
    for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
        FreshSlot& slot = fresh_[i];
        if (slot.first == kNoOp) return nullptr;
        if (slot.first != kErased && slot.hash == hash && ops_[slot.first].key == key) return &slot;
    }
}

void StoreBatch::insert_fresh(std::uint64_t hash, std::uint32_t index) {
    if ((fresh_used_.size() + 1) * 2 > fresh_.size()) {
        // Grow (also drops erased slots): rehash what is still fresh.
        std::vector<FreshSlot> live;
        for (std::uint32_t slot : fresh_used_)
            if (fresh_[slot].first != kErased) live.push_back(fresh_[slot]);
        fresh_.assign(std::max<std::size_t>(64, fresh_.size() * 2), FreshSlot{});
        fresh_used_.clear();
        for (const FreshSlot& slot : live) {
            insert_fresh(slot.hash, slot.first);
            find_fresh(ops_[slot.first].key, slot.hash)->last = slot.last;
        }
    }
    const std::size_t mask = fresh_.size() - 1;
    std::size_t i = hash & mask;
    while (fresh_[i].first != kNoOp)
        i = (i + 1) & mask;
    fresh_[i] = FreshSlot{hash, index, index};
    fresh_used_.push_back(static_cast<std::uint32_t>(i));
}

void StoreBatch::register_fresh() {
    const auto index = static_cast<std::uint32_t>(count_ - 1);
    const std::string& key = ops_[index].key;
    const std::uint64_t hash = std::hash<std::string_view>{}(key);
    if (FreshSlot* slot = find_fresh(key, hash)) {
        // A second fresh put without an erase between is a caller's mistake: keep both,
        // cancellable together.
        ops_[slot->last].next_same_key = index;
        slot->last = index;
        return;
    }
    insert_fresh(hash, index);
}

bool StoreBatch::extend_fresh(const std::string& key, const InflightRecord& inflight) {
    FreshSlot* slot = find_fresh(key, std::hash<std::string_view>{}(key));
    if (!slot) return false;
    const auto index = static_cast<std::uint32_t>(count_);
    Op& op = next_op(Op::Type::Put);
    op.key = key;
    encode_inflight(inflight, op.value);
    added(op);
    ops_[slot->last].next_same_key = index;
    slot->last = index;
    return true;
}

bool StoreBatch::cancel_fresh(const std::string& key) {
    FreshSlot* slot = find_fresh(key, std::hash<std::string_view>{}(key));
    if (!slot) return false;
    for (std::uint32_t i = slot->first; i != kNoOp; i = ops_[i].next_same_key) {
        Op& op = ops_[i];
        bytes_ -= op.key.size() + op.value.size();
        --live_;
        op.type = Op::Type::Cancelled;
    }
    slot->first = kErased;
    return true;
}

}  // namespace akasa::store
