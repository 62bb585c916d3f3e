// A group of store operations committed atomically by Store::write. The engine can collect
// everything one event-loop iteration changed into one batch and write it once before it
// sends the acknowledgements of that iteration: one commit instead of one per message.
// Keys and values are encoded when an operation is added, so the batch owns all its bytes and
// the records passed in may be discarded right away.
//
//   StoreBatch batch;
//   batch.append_queued("sensor-7", 42, message);
//   batch.set_qos2_received("gateway", 17);
//   if (Status s = store.write(batch); !s.ok()) refuse_new_work(s);
//
// Not thread-safe: one batch belongs to one thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "store/records.h"
#include "store/status.h"

namespace akasa::store {

class StoreBatch {
  public:
    struct Op {
        enum class Type : std::uint8_t { Put, Delete, DeleteRange };
        Type type = Type::Put;
        std::string key;
        std::string value;  // Put: the value; DeleteRange: the end key (exclusive)
    };

    // Retained messages, by topic (message.topic).
    void put_retained(const MessageRecord& message);
    void erase_retained(std::string_view topic);

    // A session record (replaces the previous one). erase_session removes the session and
    // everything stored under it: subscriptions, queue, inflight and QoS 2 state.
    void put_session(const SessionRecord& session);
    void erase_session(std::string_view client_id);

    void put_subscription(std::string_view client_id, const SubscriptionRecord& subscription);
    void erase_subscription(std::string_view client_id, std::string_view filter);

    // The queue of an offline session, ordered by seq. The store does not count a session's
    // queue: the caller enforces max_in_db_pending_messages (it knows the count, and recovery
    // returns the queue so it can count again after a restart).
    void append_queued(std::string_view client_id, std::uint64_t seq, const MessageRecord& message);
    // Cancels the append of the same entry when it is among this batch's last operations.
    void remove_queued(std::string_view client_id, std::uint64_t seq);

    // Outbound QoS 1/2 messages sent and not yet acknowledged, by packet id. put_inflight also
    // moves a delivery from PublishSent to PubrelSent (same key, new value).
    void put_inflight(std::string_view client_id, const InflightRecord& inflight);
    void erase_inflight(std::string_view client_id, std::uint16_t packet_id);

    // Inbound QoS 2: set when a PUBLISH is received (before PUBREC is sent), cleared when its
    // PUBREL arrives (before PUBCOMP is sent).
    void set_qos2_received(std::string_view client_id, std::uint16_t packet_id);
    void clear_qos2_received(std::string_view client_id, std::uint16_t packet_id);

    bool empty() const { return ops_.empty(); }
    std::size_t size() const { return ops_.size(); }
    std::size_t byte_size() const { return bytes_; }
    void clear();

    // InvalidArgument if an operation could not be encoded (a client id longer than 65535
    // bytes); such operations are dropped and Store::write refuses the whole batch.
    const Status& status() const { return status_; }
    const std::vector<Op>& ops() const { return ops_; }

  private:
    // How far back remove_queued looks for the put it cancels (it is usually the last op).
    static constexpr std::size_t kCancelLookBack = 8;

    bool check_client_id(std::string_view client_id);
    void add(Op::Type type, std::string key, std::string value);

    std::vector<Op> ops_;
    std::size_t bytes_ = 0;
    Status status_;
};

}  // namespace akasa::store
