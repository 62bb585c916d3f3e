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
// Records that live only briefly (a queued copy sent at once, an inflight message acknowledged
// quickly) cancel out: when the removal of a record arrives while the put that created it is
// still in this batch, or in the `earlier` batch not yet written either, both are dropped and
// nothing is written. The engine keeps two batches open (persist_writer.h) so that most
// messages to online persistent sessions cost no write at all.
//
// Not thread-safe: one batch belongs to one thread.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "store/records.h"
#include "store/status.h"

namespace akasa::store {

class StoreBatch {
  public:
    struct Op {
        // Cancelled: a put whose record was removed again in the same batch (skipped).
        enum class Type : std::uint8_t { Put, Delete, DeleteRange, Cancelled };
        Type type = Type::Put;
        std::string key;
        std::string value;  // Put: the value; DeleteRange: the end key (exclusive)
        // The next put to the same fresh key in this batch (fresh_), or kNoOp.
        std::uint32_t next_same_key = kNoOp;
    };
    static constexpr std::uint32_t kNoOp = UINT32_MAX;

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
    // Cancels the append of the same entry when it is still in this batch or in `earlier`
    // (an open batch to be written before this one); seqs are never reused, so nothing of it
    // is in the store then. Otherwise a delete.
    void remove_queued(std::string_view client_id, std::uint64_t seq,
                       StoreBatch* earlier = nullptr);

    // Outbound QoS 1/2 messages sent and not yet acknowledged, by packet id. put_inflight also
    // moves a delivery from PublishSent to PubrelSent (same key, new value). A PublishSent
    // put starts a use of the packet id, whose record the store no longer holds (the
    // previous use ended with erase_inflight or erase_session): when its erase_inflight
    // comes while that put is still in this batch, the puts of this use and the erase are
    // all dropped. `earlier`: as for remove_queued (a PubrelSent put joins its use there).
    void put_inflight(std::string_view client_id, const InflightRecord& inflight,
                      StoreBatch* earlier = nullptr);
    void erase_inflight(std::string_view client_id, std::uint16_t packet_id,
                        StoreBatch* earlier = nullptr);

    // Inbound QoS 2: set when a PUBLISH is received (before PUBREC is sent), cleared when its
    // PUBREL arrives (before PUBCOMP is sent).
    void set_qos2_received(std::string_view client_id, std::uint16_t packet_id);
    void clear_qos2_received(std::string_view client_id, std::uint16_t packet_id);

    // Operations to write (cancelled ones do not count).
    bool empty() const { return live_ == 0; }
    std::size_t size() const { return live_; }
    std::size_t byte_size() const { return bytes_; }
    // Also true when everything added was cancelled: clear() is due.
    bool has_ops() const { return count_ != 0; }
    void clear();

    // InvalidArgument if an operation could not be encoded (a client id longer than 65535
    // bytes); such operations are dropped and Store::write refuses the whole batch.
    const Status& status() const { return status_; }
    // Every operation added, cancelled ones included (Type::Cancelled).
    std::span<const Op> ops() const { return {ops_.data(), count_}; }

  private:
    // The puts of one fresh key in this batch, by key hash: the first and the last (a chain
    // through Op::next_same_key). An open-addressing table cleared with the batch, so the
    // per-message path allocates nothing once warm.
    struct FreshSlot {
        std::uint64_t hash = 0;
        std::uint32_t first = kNoOp;  // kNoOp: empty slot; kErased: cancelled since
        std::uint32_t last = kNoOp;
    };
    static constexpr std::uint32_t kErased = kNoOp - 1;
    // Op objects past this many are freed by clear() (the rest keep their strings' capacity).
    static constexpr std::size_t kKeptOps = 4096;

    bool check_client_id(std::string_view client_id);
    // The next operation, reusing a cleared one's strings; counted by added().
    Op& next_op(Op::Type type);
    void added(const Op& op);
    void add(Op::Type type, std::string key, std::string value);
    // The put just made by next_op() (ops_[count_ - 1]) creates a key the store does not
    // hold: cancellable until the batch is written.
    void register_fresh();
    // The next put to `key` joins its fresh use here (cancelled with it); false when the key
    // is not fresh in this batch.
    bool extend_fresh(const std::string& key, const InflightRecord& inflight);
    // Drops every put of `key` if it is fresh in this batch; false (nothing done) otherwise.
    bool cancel_fresh(const std::string& key);
    FreshSlot* find_fresh(const std::string& key, std::uint64_t hash);
    void insert_fresh(std::uint64_t hash, std::uint32_t index);

    std::vector<Op> ops_;  // [0, count_) in use
    std::size_t count_ = 0;
    std::size_t live_ = 0;
    std::size_t bytes_ = 0;
    std::vector<FreshSlot> fresh_;           // size a power of two, or empty
    std::vector<std::uint32_t> fresh_used_;  // slots to reset in clear()
    std::string scratch_key_;                // lookups of removals
    Status status_;
};

}  // namespace akasa::store
