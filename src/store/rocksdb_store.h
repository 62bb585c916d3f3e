// The Store on RocksDB: one database in the store directory, the key schema of key_schema.h,
// a write queue that group-commits concurrent batches (LevelDB's leader/follower writer
// queue: the first waiting writer commits everything queued behind it as one WriteBatch, one
// WAL write and, with SyncPolicy::Always, one fsync).
//
//   std::unique_ptr<Store> store;
//   Status s = RocksDbStore::open({.dir = dir, .sync = SyncPolicy::Always}, &store);
#pragma once

#include <rocksdb/rocksdb_namespace.h>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <thread>

#include "store/store.h"

namespace ROCKSDB_NAMESPACE {
class DB;
class Env;
class Snapshot;
}  // namespace ROCKSDB_NAMESPACE

namespace akasa::store {

// Seams for tests (LevelDB style): the file system under the store, and an event after each
// background fsync of the Interval policy so a test can await it instead of sleeping.
struct RocksDbTestHooks {
    rocksdb::Env* env = nullptr;  // must outlive the store; nullptr: the default Env
    // Called on the sync thread after each background fsync that succeeded, with the number
    // of commits it covers (every commit counted by stats().commits before the fsync).
    std::function<void(std::uint64_t synced_commits)> after_background_sync;
    // Called when write() has queued its batch, with the number of writers now queued
    // (including a leader that is committing). Runs under the queue's mutex: only notify.
    std::function<void(std::size_t queued_writers)> after_enqueue;
    // Counts the memtable entries reads put in order (grouped_memtable.h); must outlive the
    // store.
    std::atomic<std::uint64_t>* memtable_entries_ordered = nullptr;
};

class RocksDbStore final : public Store {
  public:
    static Status open(const StoreOptions& options, std::unique_ptr<Store>* out,
                       const RocksDbTestHooks& hooks = {});

    // Syncs the WAL (so a clean shutdown loses nothing under any policy) and closes.
    ~RocksDbStore() override;

    Status write(const StoreBatch& batch) override;
    Status recover(RecoveryVisitor& visitor, RecoveryStats* stats = nullptr) override;
    Status read_queued(std::string_view client_id, std::uint64_t from_seq, std::uint64_t below_seq,
                       std::size_t max_count, std::vector<QueuedMessage>* out,
                       bool* exhausted) override;
    Status sync() override;
    StoreStats stats() const override;
    const std::string& dir() const override { return options_.dir; }

  private:
    struct Writer;

    RocksDbStore(const StoreOptions& options, const RocksDbTestHooks& hooks);
    Status open_db();
    void close_db();  // requires db_mutex_ held exclusively (or no other thread)
    Status reopen();
    Status check_format_version();
    Status commit(const std::vector<Writer*>& group);
    void background_sync_loop();
    // recover(): the retained messages, or everything else; stops early once `failed`.
    enum class Pass : std::uint8_t { Retained, Rest };
    Status recover_pass(RecoveryVisitor& visitor, RecoveryStats& stats, Pass pass,
                        const rocksdb::Snapshot* snapshot, const std::atomic<bool>& failed);

    const StoreOptions options_;
    const RocksDbTestHooks hooks_;
    // Replaced only by reopen() after a failed write; every other use holds it shared.
    std::shared_mutex db_mutex_;
    std::unique_ptr<rocksdb::DB> db_;  // null while a reopen failed (the disk still full)

    // The writer queue. Only the writer at the front commits; the others wait for it.
    std::mutex queue_mutex_;
    std::deque<Writer*> writers_;  // guarded by queue_mutex_
    bool resume_needed_ = false;   // a commit failed: reopen first; guarded by leadership

    std::atomic<std::uint64_t> batches_{0};
    std::atomic<std::uint64_t> commits_{0};
    std::atomic<std::uint64_t> failed_commits_{0};
    std::atomic<std::uint64_t> background_syncs_{0};

    // SyncPolicy::Interval.
    std::mutex sync_mutex_;
    std::condition_variable sync_wakeup_;
    bool stopping_ = false;  // guarded by sync_mutex_
    std::thread sync_thread_;
};

}  // namespace akasa::store
