#include "store/rocksdb_store.h"

#include <fmt/format.h>
#include <rocksdb/cache.h>
#include <rocksdb/db.h>
#include <rocksdb/env.h>
#include <rocksdb/memtablerep.h>
#include <rocksdb/options.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>
#include <spdlog/spdlog.h>

#include <time.h>

#include <chrono>
#include <filesystem>
#include <system_error>

#include "store/grouped_memtable.h"
#include "store/key_schema.h"
#include "store/record_codec.h"
#include "store/rocksdb_logger.h"

namespace akasa::store {
namespace {

// A group stops growing past this many bytes so one huge batch does not delay the writers
// queued behind it for long (LevelDB uses 1 MiB the same way).
constexpr std::size_t kMaxGroupBytes = 1 << 20;

rocksdb::Slice slice(std::string_view s) {
    return {s.data(), s.size()};
}
std::string_view view(const rocksdb::Slice& s) {
    return {s.data(), s.size()};
}

Status translate(const rocksdb::Status& s, std::string message) {
    if (s.IsNoSpace()) return Status::no_space(std::move(message));
    if (s.IsCorruption()) return Status::corruption(std::move(message));
    if (s.IsNotSupported()) return Status::not_supported(std::move(message));
    if (s.IsInvalidArgument()) return Status::invalid_argument(std::move(message));
    return Status::io_error(std::move(message));
}

// An error of RocksDB while doing `what`, naming the store directory.
Status db_error(const std::string& dir, std::string_view what, const rocksdb::Status& s) {
    return translate(s, fmt::format("store at '{}': {}: {}", dir, what, s.ToString()));
}

// Prefixes a record-level error with where it was found.
Status at_key(const Status& s, const std::string& dir, std::string_view key) {
    std::string message = fmt::format("store at '{}': {}: {}", dir, describe_key(key), s.message());
    return s.code() == Status::Code::NotSupported ? Status::not_supported(std::move(message))
                                                  : Status::corruption(std::move(message));
}

// Builds the SessionStates of recover(): sub-records follow their session's key in key
// order, so one session is complete when the client id changes.
class SessionAssembler {
  public:
    SessionAssembler(RecoveryVisitor& visitor, RecoveryStats& stats)
        : visitor_(visitor), stats_(stats) {}

    // Starts collecting client_id if it differs from the current one.
    void begin(std::string_view client_id) {
        if (have_client_ && client_id == client_id_) return;
        finish();
        have_client_ = true;
        client_id_.assign(client_id);
    }
    void set_session(SessionRecord&& record) {
        has_session_ = true;
        state_.session = std::move(record);
        ++stats_.sessions;
    }
    SessionState& state() { return state_; }
    bool has_session() const { return has_session_; }

    void finish() {
        if (!have_client_) return;
        if (has_session_) {
            visitor_.on_session(std::move(state_));
        } else {
            // Sub-records without their session record: see RecoveryStats::orphans.
            stats_.orphans += state_.subscriptions.size() + state_.queue.size() +
                              state_.inflight.size() + state_.qos2_received.size();
        }
        state_ = SessionState{};
        has_session_ = false;
        have_client_ = false;
    }

  private:
    RecoveryVisitor& visitor_;
    RecoveryStats& stats_;
    bool have_client_ = false;
    bool has_session_ = false;
    std::string client_id_;
    SessionState state_;
};

std::chrono::nanoseconds thread_cpu_time() {
    timespec ts{};
    ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec);
}

}  // namespace

struct RocksDbStore::Writer {
    const StoreBatch* batch = nullptr;
    Status status;
    bool done = false;
    std::condition_variable wakeup;
};

RocksDbStore::RocksDbStore(const StoreOptions& options, const RocksDbTestHooks& hooks)
    : options_(options), hooks_(hooks) {}

Status RocksDbStore::open(const StoreOptions& options, std::unique_ptr<Store>* out,
                          const RocksDbTestHooks& hooks) {
    if (options.dir.empty()) return Status::invalid_argument("the store directory is empty");
    if (options.sync == SyncPolicy::Interval && options.sync_interval.count() < 1) {
        return Status::invalid_argument("the store sync interval must be at least 1 ms");
    }
    std::unique_ptr<RocksDbStore> store(new RocksDbStore(options, hooks));
    if (Status s = store->open_db(); !s.ok()) return s;
    if (Status s = store->check_format_version(); !s.ok()) return s;
    if (options.sync == SyncPolicy::Interval) {
        store->sync_thread_ = std::thread([raw = store.get()] { raw->background_sync_loop(); });
    }
    *out = std::move(store);
    return {};
}

Status open_rocksdb_store(const StoreOptions& options, std::unique_ptr<Store>* out) {
    return RocksDbStore::open(options, out);
}

Status RocksDbStore::open_db() {
    const std::string& dir = options_.dir;
    if (!hooks_.env) {
        std::error_code ec;
        // The store holds every client's queued messages: a directory it creates is its own
        // user's only (0700); one that exists keeps the mode its operator chose.
        if (std::filesystem::create_directories(dir, ec) && !ec) {
            std::filesystem::permissions(dir, std::filesystem::perms::owner_all,
                                         std::filesystem::perm_options::replace, ec);
        }
        if (ec) {
            return Status::io_error(
                fmt::format("cannot create the store directory '{}': {}", dir, ec.message()));
        }
        if (!std::filesystem::is_directory(dir, ec)) {
            return Status::io_error(fmt::format("the store path '{}' is not a directory", dir));
        }
    }
    rocksdb::Options options;
    options.create_if_missing = true;
    options.paranoid_checks = true;
    // A torn record at the end of the WAL is a write that never returned (a crash mid-write)
    // and is dropped; a bad record anywhere else fails the open instead of silently
    // truncating the log there (kPointInTimeRecovery, the default, would).
    options.wal_recovery_mode = rocksdb::WALRecoveryMode::kTolerateCorruptedTailRecords;
    options.write_buffer_size = 32 << 20;
    // The memtable keeps one append-only list per key group (a client's records, the
    // retained messages: grouped_memtable.h). RocksDB's default skip list cost ~45 % of the
    // broker's CPU in its ordered inserts with persistent subscribers (docs/benchmarks.md,
    // "Persistence"); its vector memtable appends, but copies and sorts all its entries for
    // every read, and a stored session's queue is read back while its client drains it
    // (docs/persistence.md, "Queued messages"). Grouped, a write is an append and a read of
    // one client's queue sorts that client's entries only. Reads across groups (recovery)
    // ask for total order. Neither the memtable nor the extractor is part of the files'
    // format: a store written before opens as it was.
    options.prefix_extractor = make_key_group_extractor();
    options.memtable_factory =
        std::make_shared<GroupedMemtableFactory>(hooks_.memtable_entries_ordered);
    options.allow_concurrent_memtable_write = false;  // not supported by this memtable
    // The memory RocksDB itself holds stays bounded whatever the store holds: the write
    // buffers above (at most max_write_buffer_number of them: one written, one flushed) and
    // a small block cache, since the store is read at start-up and when a stored session's
    // queue is read back (docs/persistence.md, "Queued messages"), both without caching.
    options.max_write_buffer_number = 2;
    rocksdb::BlockBasedTableOptions table_options;
    table_options.block_cache = rocksdb::NewLRUCache(8 << 20);
    options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table_options));
    // Its diagnostics go to our log, not to a LOG file that a full disk breaks
    // (rocksdb_logger.h).
    options.info_log = make_rocksdb_logger(dir);
    options.info_log_level = rocksdb::InfoLogLevel::WARN_LEVEL;
    if (hooks_.env) options.env = hooks_.env;

    rocksdb::DB* db = nullptr;
    rocksdb::Status s = rocksdb::DB::Open(options, dir, &db);
    if (!s.ok())
        return translate(s, fmt::format("cannot open the store at '{}': {}", dir, s.ToString()));
    db_.reset(db);
    return {};
}

Status RocksDbStore::check_format_version() {
    std::string value;
    rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), format_version_key(), &value);
    if (s.IsNotFound()) {
        rocksdb::ReadOptions read_options;
        read_options.total_order_seek = true;  // across key groups
        std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read_options));
        it->SeekToFirst();
        if (!it->status().ok()) return db_error(options_.dir, "reading the store", it->status());
        if (it->Valid()) {
            return Status::corruption(fmt::format(
                "the store at '{}' holds data but no format version record", options_.dir));
        }
        rocksdb::WriteOptions write_options;
        write_options.sync = true;
        s = db_->Put(write_options, format_version_key(),
                     encode_format_version(kStoreFormatVersion));
        if (!s.ok()) return db_error(options_.dir, "writing the format version", s);
        return {};
    }
    if (!s.ok()) return db_error(options_.dir, "reading the format version", s);
    std::uint32_t version = 0;
    if (Status d = decode_format_version(value, &version); !d.ok()) {
        return at_key(d, options_.dir, format_version_key());
    }
    if (version != kStoreFormatVersion) {
        return Status::not_supported(
            fmt::format("the store at '{}' has format version {}; this build reads version {}",
                        options_.dir, version, kStoreFormatVersion));
    }
    return {};
}

RocksDbStore::~RocksDbStore() {
    if (sync_thread_.joinable()) {
        {
            std::lock_guard lock(sync_mutex_);
            stopping_ = true;
        }
        sync_wakeup_.notify_all();
        sync_thread_.join();
    }
    std::unique_lock lock(db_mutex_);
    close_db();
}

Status RocksDbStore::write(const StoreBatch& batch) {
    if (!batch.status().ok()) return batch.status();
    if (batch.empty()) return {};

    Writer self;
    self.batch = &batch;
    std::unique_lock lock(queue_mutex_);
    writers_.push_back(&self);
    if (hooks_.after_enqueue) hooks_.after_enqueue(writers_.size());
    self.wakeup.wait(lock, [&] { return self.done || writers_.front() == &self; });
    if (self.done) {
        if (self.status.ok()) batches_.fetch_add(1, std::memory_order_relaxed);
        return self.status;
    }

    // The leader: take every writer queued so far (up to kMaxGroupBytes) into one commit.
    std::vector<Writer*> group;
    std::size_t bytes = 0;
    for (Writer* w : writers_) {
        if (!group.empty() && bytes + w->batch->byte_size() > kMaxGroupBytes) break;
        group.push_back(w);
        bytes += w->batch->byte_size();
    }
    lock.unlock();
    const Status status = commit(group);
    lock.lock();
    for (Writer* w : group) {
        writers_.pop_front();
        if (w != &self) {
            w->status = status;
            w->done = true;
            w->wakeup.notify_one();
        }
    }
    if (!writers_.empty()) writers_.front()->wakeup.notify_one();
    lock.unlock();
    if (status.ok()) batches_.fetch_add(1, std::memory_order_relaxed);
    return status;
}

Status RocksDbStore::commit(const std::vector<Writer*>& group) {
    if (resume_needed_) {
        // A failed write (a full disk) leaves RocksDB refusing writes until its own recovery
        // sees free space again (it answers "busy" meanwhile). Reopening instead is immediate
        // and deterministic: the WAL holds every acknowledged write, and the reopen fails
        // (leaving the store closed, retried by the next write) while the disk is still full.
        if (Status s = reopen(); !s.ok()) {
            failed_commits_.fetch_add(1, std::memory_order_relaxed);
            return s;
        }
        resume_needed_ = false;
    }
    rocksdb::WriteBatch batch;
    for (const Writer* w : group) {
        for (const StoreBatch::Op& op : w->batch->ops()) {
            rocksdb::Status s;
            switch (op.type) {
                case StoreBatch::Op::Type::Put:
                    s = batch.Put(slice(op.key), slice(op.value));
                    break;
                case StoreBatch::Op::Type::Delete:
                    s = batch.Delete(slice(op.key));
                    break;
                case StoreBatch::Op::Type::DeleteRange:
                    s = batch.DeleteRange(slice(op.key), slice(op.value));
                    break;
                case StoreBatch::Op::Type::Cancelled:
                    break;
            }
            if (!s.ok()) return db_error(options_.dir, "building a write batch", s);
        }
    }
    rocksdb::WriteOptions write_options;
    write_options.sync = options_.sync == SyncPolicy::Always;
    std::shared_lock db_lock(db_mutex_);
    rocksdb::Status s = db_->Write(write_options, &batch);
    if (!s.ok()) {
        resume_needed_ = true;
        failed_commits_.fetch_add(1, std::memory_order_relaxed);
        return db_error(options_.dir, "write failed", s);
    }
    commits_.fetch_add(1, std::memory_order_relaxed);
    return {};
}

Status RocksDbStore::reopen() {
    std::unique_lock lock(db_mutex_);
    close_db();
    return open_db();
}

void RocksDbStore::close_db() {
    if (!db_) return;
    // After a failed write the WAL writer is in an error state where syncing it trips an
    // assertion inside RocksDB: only a healthy store is synced before closing.
    if (!resume_needed_) {
        rocksdb::Status s = db_->FlushWAL(/*sync=*/true);
        if (!s.ok())
            spdlog::warn("persistence: syncing '{}' at close: {}", options_.dir, s.ToString());
    }
    rocksdb::Status s = db_->Close();
    if (!s.ok()) spdlog::warn("persistence: closing '{}': {}", options_.dir, s.ToString());
    db_.reset();
}

Status RocksDbStore::read_queued(std::string_view client_id, std::uint64_t from_seq,
                                 std::uint64_t below_seq, std::size_t max_count,
                                 std::vector<QueuedMessage>* out, bool* exhausted) {
    out->clear();
    *exhausted = false;
    if (client_id.size() > kMaxClientIdLength)
        return Status::invalid_argument("client id longer than 65535 bytes");
    std::shared_lock lock(db_mutex_);
    if (!db_)
        return Status::io_error(
            fmt::format("store at '{}' is closed after a failed write", options_.dir));
    const std::string begin = queued_key(client_id, from_seq);
    // The first key after every queued record of the session: its inflight records start.
    std::string end = queued_key(client_id, 0);
    end[end.size() - 9] = static_cast<char>(SessionKeyKind::Queued) + 1;
    end.resize(end.size() - 8);
    const rocksdb::Slice upper(end);
    rocksdb::ReadOptions read_options;
    read_options.iterate_upper_bound = &upper;
    // Each record is read back once, into the session's queue: caching its block would only
    // push out others.
    read_options.fill_cache = false;
    // Within the client's key group: the memtable orders the client's own entries only
    // (see open_db), not every client's.
    read_options.prefix_same_as_start = true;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read_options));
    for (it->Seek(begin); it->Valid(); it->Next()) {
        const std::string_view key = view(it->key());
        ParsedKey parsed;
        if (Status s = parse_key(key, &parsed); !s.ok()) return at_key(s, options_.dir, key);
        if (parsed.seq >= below_seq || out->size() >= max_count) return {};
        QueuedMessage record;
        record.seq = parsed.seq;
        if (Status s = decode_queued(view(it->value()), &record.message); !s.ok())
            return at_key(s, options_.dir, key);
        out->push_back(std::move(record));
    }
    if (!it->status().ok()) return db_error(options_.dir, "reading a queue", it->status());
    *exhausted = true;
    return {};
}

Status RocksDbStore::sync() {
    std::shared_lock lock(db_mutex_);
    if (!db_)
        return Status::io_error(
            fmt::format("store at '{}' is closed after a failed write", options_.dir));
    rocksdb::Status s = db_->FlushWAL(/*sync=*/true);
    if (!s.ok()) return db_error(options_.dir, "sync failed", s);
    return {};
}

StoreStats RocksDbStore::stats() const {
    StoreStats out;
    out.batches = batches_.load(std::memory_order_relaxed);
    out.commits = commits_.load(std::memory_order_relaxed);
    out.failed_commits = failed_commits_.load(std::memory_order_relaxed);
    out.background_syncs = background_syncs_.load(std::memory_order_relaxed);
    return out;
}

void RocksDbStore::background_sync_loop() {
    std::uint64_t synced_commits = 0;  // what the last background fsync covered
    std::unique_lock lock(sync_mutex_);
    while (!stopping_) {
        sync_wakeup_.wait_for(lock, options_.sync_interval, [&] { return stopping_; });
        if (stopping_) break;
        const std::uint64_t commits = commits_.load();
        if (commits == synced_commits) continue;  // nothing new: no fsync
        lock.unlock();
        rocksdb::Status s;
        {
            std::shared_lock db_lock(db_mutex_);
            s = db_ ? db_->SyncWAL() : rocksdb::Status::Incomplete("closed after a failed write");
        }
        if (s.ok()) {
            synced_commits = commits;
            background_syncs_.fetch_add(1, std::memory_order_relaxed);
            if (hooks_.after_background_sync) hooks_.after_background_sync(commits);
        } else {
            spdlog::warn("persistence: background sync of '{}' failed: {}", options_.dir,
                         s.ToString());
        }
        lock.lock();
    }
}

Status RocksDbStore::recover(RecoveryVisitor& visitor, RecoveryStats* stats_out) {
    std::shared_lock db_lock(db_mutex_);
    if (!db_)
        return Status::io_error(
            fmt::format("store at '{}' is closed after a failed write", options_.dir));
    // Two passes at once: the retained messages on a thread of their own, everything else
    // (sessions) on this one. They touch disjoint engine structures, and a large store
    // recovers in about the time of the larger part instead of the sum (docs/persistence.md,
    // "Recovery"). One RocksDB snapshot for both, so they read one consistent state.
    const rocksdb::Snapshot* snapshot = db_->GetSnapshot();
    std::atomic<bool> failed{false};
    RecoveryStats retained_stats;
    Status retained_status;
    std::chrono::nanoseconds retained_cpu{0};
    std::thread retained_pass([&] {
        const auto started = thread_cpu_time();
        retained_status = recover_pass(visitor, retained_stats, Pass::Retained, snapshot, failed);
        if (!retained_status.ok()) failed.store(true, std::memory_order_relaxed);
        retained_cpu = thread_cpu_time() - started;
    });
    const auto started = thread_cpu_time();
    RecoveryStats stats;
    Status status = recover_pass(visitor, stats, Pass::Rest, snapshot, failed);
    if (!status.ok()) failed.store(true, std::memory_order_relaxed);
    const auto rest_cpu = thread_cpu_time() - started;
    retained_pass.join();
    // What each pass cost (including the visitor's work): the recovery takes about the
    // larger of the two on an idle machine with two cores.
    using std::chrono::duration_cast, std::chrono::milliseconds;
    spdlog::info(
        "persistence: recovery passes of '{}': retained messages {} ms, sessions {} ms "
        "(CPU time of each thread)",
        options_.dir, duration_cast<milliseconds>(retained_cpu).count(),
        duration_cast<milliseconds>(rest_cpu).count());
    db_->ReleaseSnapshot(snapshot);
    if (!retained_status.ok()) return retained_status;
    if (!status.ok()) return status;
    stats.retained += retained_stats.retained;
    stats.bytes += retained_stats.bytes;
    if (stats_out) *stats_out = stats;
    return {};
}

Status RocksDbStore::recover_pass(RecoveryVisitor& visitor, RecoveryStats& stats, Pass pass,
                                  const rocksdb::Snapshot* snapshot,
                                  const std::atomic<bool>& failed) {
    static constexpr char kRetainedStart[] = {kRetainedPrefix};
    static constexpr char kSessionsStart[] = {kSessionPrefix};
    const rocksdb::Slice retained_start(kRetainedStart, 1);
    const rocksdb::Slice sessions_start(kSessionsStart, 1);
    SessionAssembler sessions(visitor, stats);
    rocksdb::ReadOptions read_options;
    read_options.snapshot = snapshot;
    read_options.verify_checksums = true;
    read_options.fill_cache = false;        // read once, keep nothing: the engine holds the state
    read_options.readahead_size = 4 << 20;  // one sequential pass over the files
    read_options.total_order_seek = true;   // across key groups (one ordered memtable view)
    if (pass == Pass::Retained) {
        read_options.iterate_lower_bound = &retained_start;
        read_options.iterate_upper_bound = &sessions_start;
    }
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read_options));
    if (pass == Pass::Retained) {
        it->Seek(retained_start);
    } else {
        it->SeekToFirst();
    }
    std::uint64_t visited = 0;
    for (; it->Valid(); it->Next()) {
        // The other pass failed: its error is the answer, stop reading.
        if ((++visited & 0xfff) == 0 && failed.load(std::memory_order_relaxed)) return {};
        std::string_view key = view(it->key());
        if (pass == Pass::Rest && !key.empty() && key.front() == kRetainedPrefix) {
            it->Seek(sessions_start);  // the other pass reads these
            if (!it->Valid()) break;
            key = view(it->key());
        }
        const std::string_view value = view(it->value());
        stats.bytes += key.size() + value.size();
        ParsedKey parsed;
        if (Status s = parse_key(key, &parsed); !s.ok()) return at_key(s, options_.dir, key);
        Status s;
        switch (parsed.kind) {
            case ParsedKey::Kind::Meta:
                break;
            case ParsedKey::Kind::Retained: {
                MessageRecord message;
                s = decode_retained(value, &message);
                if (!s.ok()) break;
                message.topic.assign(parsed.name);
                ++stats.retained;
                visitor.on_retained(std::move(message));
                break;
            }
            case ParsedKey::Kind::Session: {
                sessions.begin(parsed.client_id);
                SessionState& state = sessions.state();
                switch (parsed.session_kind) {
                    case SessionKeyKind::Session: {
                        SessionRecord record;
                        s = decode_session(value, &record);
                        if (!s.ok()) break;
                        record.client_id.assign(parsed.client_id);
                        sessions.set_session(std::move(record));
                        break;
                    }
                    case SessionKeyKind::Subscription: {
                        SubscriptionRecord record;
                        s = decode_subscription(value, &record);
                        if (!s.ok()) break;
                        record.filter.assign(parsed.filter);
                        if (sessions.has_session()) ++stats.subscriptions;
                        state.subscriptions.push_back(std::move(record));
                        break;
                    }
                    case SessionKeyKind::Queued: {
                        QueuedMessage record;
                        record.seq = parsed.seq;
                        s = decode_queued(value, &record.message);
                        if (!s.ok()) break;
                        if (sessions.has_session()) ++stats.queued;
                        state.queue.push_back(std::move(record));
                        break;
                    }
                    case SessionKeyKind::Inflight: {
                        InflightRecord record;
                        s = decode_inflight(value, &record);
                        if (!s.ok()) break;
                        record.packet_id = parsed.packet_id;
                        if (sessions.has_session()) ++stats.inflight;
                        state.inflight.push_back(std::move(record));
                        break;
                    }
                    case SessionKeyKind::Qos2Received:
                        s = decode_qos2_received(value);
                        if (!s.ok()) break;
                        if (sessions.has_session()) ++stats.qos2_received;
                        state.qos2_received.push_back(parsed.packet_id);
                        break;
                }
                break;
            }
        }
        if (!s.ok()) return at_key(s, options_.dir, key);
    }
    if (!it->status().ok()) {
        return translate(it->status(), fmt::format("store at '{}': reading the store: {}",
                                                   options_.dir, it->status().ToString()));
    }
    sessions.finish();
    return {};
}

}  // namespace akasa::store
