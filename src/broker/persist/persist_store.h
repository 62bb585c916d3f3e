// The broker's side of the persistent store (docs/persistence.md), shared by every worker:
// the open Store, which sessions are stored (so a worker routing a message can store a queued
// copy for a session that lives on another worker), and the sequence numbers of queued
// copies. Exists only when `persistence.enable` is true; with persistence off the engine holds
// a null pointer and pays nothing else.
//
//   auto persistence = Persistence::open(config.persistence);   // throws, naming the dir
//   recover_persistent_state(*persistence, context);             // before listening
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <shared_mutex>
#include <string>

#include <absl/container/flat_hash_map.h>

#include "broker/routing/subscription.h"
#include "config/config.h"
#include "store/store.h"

namespace akasa::broker {

class Persistence {
  public:
    // Opens (creating if missing) the store in config.dir. std::runtime_error naming the
    // directory when it cannot be opened (unreadable, corrupt, locked by another broker).
    static std::unique_ptr<Persistence> open(const config::PersistenceConfig& config);

    explicit Persistence(std::unique_ptr<store::Store> store) : store_(std::move(store)) {}

    store::Store& store() { return *store_; }
    const std::string& dir() const { return store_->dir(); }

    // --- Thread-safe ---
    // A stored session (one with a session record) and its client id, which is kept by
    // reference: it must stay valid until remove_session(session), or until no worker runs
    // (the Session's own client id, constant for its life, is what the workers pass).
    void add_session(SessionId session, const std::string& client_id);
    void remove_session(SessionId session);
    // The client id of a stored session; false when the session is not stored.
    bool stored_client(SessionId session, std::string& client_id) const;
    // The next seq for a queued copy: increasing across all sessions, so per session too.
    std::uint64_t next_seq() { return next_seq_.fetch_add(1, std::memory_order_seq_cst); }
    // The seq next_seq() will return next (or a larger one): every seq allocated later is at
    // least this (Worker::readable_below).
    std::uint64_t peek_next_seq() const { return next_seq_.load(std::memory_order_seq_cst); }
    // After recovery: continue after the largest recovered seq.
    void continue_after(std::uint64_t seq);

  private:
    std::unique_ptr<store::Store> store_;
    mutable std::shared_mutex mutex_;
    // One 16-byte slot per stored session (no copy of the id: docs/benchmarks.md, e).
    absl::flat_hash_map<SessionId, const std::string*> clients_;  // guarded by mutex_
    std::atomic<std::uint64_t> next_seq_{1};
};

}  // namespace akasa::broker
