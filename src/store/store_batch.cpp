#include "store/store_batch.h"

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
    add_fresh_put(queued_key(client_id, seq), encode_queued(message));
}

void StoreBatch::remove_queued(std::string_view client_id, std::uint64_t seq, StoreBatch* earlier) {
    if (!check_client_id(client_id)) return;
    std::string key = queued_key(client_id, seq);
    // The common case of a message routed to an online persistent session and sent before
    // the batch is written: nothing of it reaches the store.
    if (cancel_fresh(key) || (earlier && earlier->cancel_fresh(key))) return;
    add(Op::Type::Delete, std::move(key), {});
}

void StoreBatch::put_inflight(std::string_view client_id, const InflightRecord& inflight,
                              StoreBatch* earlier) {
    if (!check_client_id(client_id)) return;
    std::string key = inflight_key(client_id, inflight.packet_id);
    std::string value = encode_inflight(inflight);
    if (inflight.state == InflightState::PublishSent) {
        add_fresh_put(std::move(key), std::move(value));
    } else if (!extend_fresh(key, value) && !(earlier && earlier->extend_fresh(key, value))) {
        add(Op::Type::Put, std::move(key), std::move(value));
    }
}

void StoreBatch::erase_inflight(std::string_view client_id, std::uint16_t packet_id,
                                StoreBatch* earlier) {
    if (!check_client_id(client_id)) return;
    std::string key = inflight_key(client_id, packet_id);
    // Acknowledged before its batch was written: the usual fate of a QoS 1 message to an
    // online persistent session.
    if (cancel_fresh(key) || (earlier && earlier->cancel_fresh(key))) return;
    add(Op::Type::Delete, std::move(key), {});
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
    ops_.clear();
    fresh_.clear();
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

void StoreBatch::add(Op::Type type, std::string key, std::string value) {
    bytes_ += key.size() + value.size();
    ++live_;
    ops_.push_back(Op{type, std::move(key), std::move(value)});
}

StoreBatch::Chain* StoreBatch::find_fresh(const std::string& key, std::uint64_t* hash) {
    *hash = std::hash<std::string>{}(key);
    auto it = fresh_.find(*hash);
    if (it == fresh_.end() || ops_[it->second.first].key != key) return nullptr;
    return &it->second;
}

void StoreBatch::add_fresh_put(std::string key, std::string value) {
    const auto index = static_cast<std::uint32_t>(ops_.size());
    std::uint64_t hash = 0;
    if (Chain* chain = find_fresh(key, &hash)) {
        // Fresh again after a cancelled use in this batch is impossible (cancel_fresh
        // forgets the key); a second fresh put without an erase between is a caller's
        // mistake: keep both, cancellable together.
        ops_[chain->last].next_same_key = index;
        chain->last = index;
    } else {
        fresh_.try_emplace(hash, Chain{index, index});  // a hash taken by another key: not fresh
    }
    add(Op::Type::Put, std::move(key), std::move(value));
}

bool StoreBatch::extend_fresh(std::string& key, std::string& value) {
    std::uint64_t hash = 0;
    Chain* chain = find_fresh(key, &hash);
    if (!chain) return false;
    const auto index = static_cast<std::uint32_t>(ops_.size());
    ops_[chain->last].next_same_key = index;
    chain->last = index;
    add(Op::Type::Put, std::move(key), std::move(value));
    return true;
}

bool StoreBatch::cancel_fresh(const std::string& key) {
    std::uint64_t hash = 0;
    Chain* chain = find_fresh(key, &hash);
    if (!chain) return false;
    for (std::uint32_t i = chain->first; i != kNoOp; i = ops_[i].next_same_key) {
        Op& op = ops_[i];
        bytes_ -= op.key.size() + op.value.size();
        --live_;
        op.type = Op::Type::Cancelled;
        std::string().swap(op.value);  // keep the key: find_fresh compares it
    }
    fresh_.erase(hash);
    return true;
}

}  // namespace akasa::store
