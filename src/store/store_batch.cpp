#include "store/store_batch.h"

#include <algorithm>

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
    add(Op::Type::Put, queued_key(client_id, seq), encode_queued(message));
}

void StoreBatch::remove_queued(std::string_view client_id, std::uint64_t seq) {
    if (!check_client_id(client_id)) return;
    std::string key = queued_key(client_id, seq);
    // A queued key is written once ever (seq only grows), so when its put is still in this
    // batch nothing of it is in the store: drop the put instead of adding a delete. This is
    // the common case of a message routed to an online persistent session and sent at once
    // (queued, then in flight, in the same loop iteration): half the writes per message.
    const std::size_t look_back = std::min<std::size_t>(ops_.size(), kCancelLookBack);
    for (std::size_t i = ops_.size(); i > ops_.size() - look_back; --i) {
        Op& op = ops_[i - 1];
        if (op.type == Op::Type::Put && op.key == key) {
            bytes_ -= op.key.size() + op.value.size();
            ops_.erase(ops_.begin() + static_cast<std::ptrdiff_t>(i - 1));
            return;
        }
    }
    add(Op::Type::Delete, std::move(key), {});
}

void StoreBatch::put_inflight(std::string_view client_id, const InflightRecord& inflight) {
    if (!check_client_id(client_id)) return;
    add(Op::Type::Put, inflight_key(client_id, inflight.packet_id), encode_inflight(inflight));
}

void StoreBatch::erase_inflight(std::string_view client_id, std::uint16_t packet_id) {
    if (!check_client_id(client_id)) return;
    add(Op::Type::Delete, inflight_key(client_id, packet_id), {});
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
    ops_.push_back(Op{type, std::move(key), std::move(value)});
}

}  // namespace akasa::store
