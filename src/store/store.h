// The embedded store: what the broker keeps across restarts (retained messages, persistent
// sessions with their subscriptions, queues, inflight messages and QoS 2 receive state),
// written incrementally. The promise of each sync policy is in docs/persistence.md.
//
//   std::unique_ptr<Store> store;
//   Status s = open_rocksdb_store({.dir = "./data", .sync = SyncPolicy::None}, &store);
//   if (!s.ok()) { spdlog::critical("{}", s.to_string()); return 1; }   // never start empty
//   StoredState state;
//   if (s = store->load(&state); !s.ok()) ...                            // before serving
//   StoreBatch batch; batch.put_retained(message); s = store->write(batch);
//
// Thread safety: write(), sync() and stats() may be called from any number of threads at
// once; concurrent writes are group-committed. recover()/load() are meant to run before the
// first write.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "store/records.h"
#include "store/status.h"
#include "store/store_batch.h"
#include "util/sync_policy.h"

namespace akasa::store {

using akasa::SyncPolicy;  // util/sync_policy.h

struct StoreOptions {
    std::string dir;  // created (with parents) if missing
    SyncPolicy sync = SyncPolicy::None;
    std::chrono::milliseconds sync_interval{1000};  // Interval only; >= 1 ms
};

struct RecoveryStats {
    std::uint64_t retained = 0;
    std::uint64_t sessions = 0;
    std::uint64_t subscriptions = 0;
    std::uint64_t queued = 0;
    std::uint64_t inflight = 0;
    std::uint64_t qos2_received = 0;
    // Sub-records whose session record is missing (cannot happen through StoreBatch, which
    // erases a session with everything under it): skipped and counted, not returned.
    std::uint64_t orphans = 0;
    std::uint64_t bytes = 0;  // keys + values read
};

// Receives the stored state during recover(), one record at a time, so a large store is not
// held twice in memory (once here, once in the engine's own structures). Records are handed
// over by rvalue: take what you need. on_retained() and on_session() may run at the same time
// on two threads (each kind always on the same thread, in its order), so what they share
// must be thread-safe.
class RecoveryVisitor {
  public:
    virtual ~RecoveryVisitor() = default;
    // In topic byte order. Expired messages are included: expiry is the engine's decision.
    virtual void on_retained(MessageRecord&& message) = 0;
    // In client id order (length first), each complete with its sub-records.
    virtual void on_session(SessionState&& session) = 0;
};

// Everything in one structure, for callers (and tests) that prefer it.
struct StoredState {
    std::vector<MessageRecord> retained;
    std::vector<SessionState> sessions;
    RecoveryStats stats;
};

// Counters since open.
struct StoreStats {
    std::uint64_t batches = 0;           // successful write() calls
    std::uint64_t commits = 0;           // successful commits (one per group of batches)
    std::uint64_t failed_commits = 0;    // commits that returned an error
    std::uint64_t background_syncs = 0;  // Interval policy: fsyncs done by the timer
};

class Store {
  public:
    virtual ~Store() = default;

    // Applies every operation of `batch` atomically (all or none), durable as the sync policy
    // says once it returns OK. On error the batch is not acknowledged: it is normally absent,
    // but if only the fsync failed it may reappear, whole, after a reopen — so put everything
    // one acknowledgement stands for into one batch. NoSpace means the disk is full (refuse
    // work that cannot be stored; a later write retries). The batch is left as it was: the
    // caller clears or reuses it.
    virtual Status write(const StoreBatch& batch) = 0;

    // Reads the whole store in one pass and hands it to `visitor`. Stops at the first record
    // that does not decode or fails its checksum: a corrupt store is an error naming the
    // directory, never a partial silent start.
    virtual Status recover(RecoveryVisitor& visitor, RecoveryStats* stats = nullptr) = 0;

    // Reads back queued records of one session in seq order: those with from_seq <= seq <
    // below_seq, at most `max_count` of them, appended to `out` (cleared first). `exhausted`
    // is set when the store holds no queued record of the session at or after the last one
    // returned (none at all from from_seq on, when nothing is returned), whatever below_seq
    // cut off. For a session whose queue is longer than the engine keeps in memory
    // (docs/persistence.md, "Queued messages"); it sees what write() has returned for.
    virtual Status read_queued(std::string_view client_id, std::uint64_t from_seq,
                               std::uint64_t below_seq, std::size_t max_count,
                               std::vector<QueuedMessage>* out, bool* exhausted) = 0;

    // Forces everything written so far to stable storage (any policy).
    virtual Status sync() = 0;

    virtual StoreStats stats() const = 0;
    virtual const std::string& dir() const = 0;

    // recover() into one structure.
    Status load(StoredState* out);

    // One-operation conveniences: each is one write() of a one-operation batch. Prefer one
    // StoreBatch for everything one event changes (a SUBSCRIBE with several filters, ...).
    Status put_retained(const MessageRecord& message);
    Status erase_retained(std::string_view topic);
    Status put_session(const SessionRecord& session);
    Status erase_session(std::string_view client_id);
    Status put_subscription(std::string_view client_id, const SubscriptionRecord& subscription);
    Status erase_subscription(std::string_view client_id, std::string_view filter);
    Status append_queued(std::string_view client_id, std::uint64_t seq,
                         const MessageRecord& message);
    Status remove_queued(std::string_view client_id, std::uint64_t seq);
    Status put_inflight(std::string_view client_id, const InflightRecord& inflight);
    Status erase_inflight(std::string_view client_id, std::uint16_t packet_id);
    Status set_qos2_received(std::string_view client_id, std::uint16_t packet_id);
    Status clear_qos2_received(std::string_view client_id, std::uint16_t packet_id);
};

// Opens (creating if missing) the RocksDB store in options.dir (rocksdb_store.h has the
// variant with test seams). Errors name the directory: an unreadable or corrupt store, a
// store of an unknown format version, a directory locked by another process.
Status open_rocksdb_store(const StoreOptions& options, std::unique_ptr<Store>* out);

}  // namespace akasa::store
