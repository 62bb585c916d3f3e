// The power-cut promise, through a file system that forgets what was not fsynced
// (fault_injection_fs.h): with SyncPolicy::Always every write that returned survives; with
// None the writes since the last WAL sync are lost (the disk keeps only what was synced), and
// the store still opens cleanly; with Interval, what a background fsync covered survives.
#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>
#include <thread>

#include "fault_injection_fs.h"
#include "store/rocksdb_store.h"
#include "store_test_support.h"
#include "temp_dir.h"

namespace akasa::store {
namespace {

using testing::FaultInjectionFs;
using testing::load_all;
using testing::message;
using testing::open_store;
using testing::TempDir;

constexpr int kWrites = 300;

SessionRecord session(const std::string& id) {
    SessionRecord s;
    s.client_id = id;
    s.protocol_version = 5;
    return s;
}

// Writes kWrites acknowledged batches (a retained message, a queued message and a QoS 2
// receive mark each), cuts the power, and returns what a restart finds.
StoredState write_then_cut_power(const std::string& dir, SyncPolicy policy,
                                 const std::function<void(Store&)>& before_cut = {}) {
    auto [fs, env] = FaultInjectionFs::make();
    RocksDbTestHooks hooks;
    hooks.env = env.get();
    {
        auto store = open_store(dir, policy, hooks);
        if (!store) return {};
        EXPECT_TRUE(store->put_session(session("c")).ok());
        for (int i = 0; i < kWrites; ++i) {
            StoreBatch batch;
            batch.put_retained(message("t/" + std::to_string(i), std::to_string(i)));
            batch.append_queued("c", static_cast<std::uint64_t>(i),
                                message("q", std::to_string(i)));
            batch.set_qos2_received("c", static_cast<std::uint16_t>(i + 1));
            EXPECT_TRUE(store->write(batch).ok());
        }
        if (before_cut) before_cut(*store);
        fs->cut_power();
    }  // the store closes with the power off: its final syncs reach nothing
    fs->restore();
    auto store = open_store(dir);  // the real file system, as after a reboot
    if (!store) return {};
    return load_all(*store);
}

TEST(PowerCut, AlwaysKeepsEveryAcknowledgedWrite) {
    TempDir tmp;
    StoredState state = write_then_cut_power(tmp.path(), SyncPolicy::Always);
    ASSERT_EQ(state.retained.size(), static_cast<std::size_t>(kWrites));
    ASSERT_EQ(state.sessions.size(), 1u);
    const SessionState& s = state.sessions[0];
    ASSERT_EQ(s.queue.size(), static_cast<std::size_t>(kWrites));
    for (int i = 0; i < kWrites; ++i) {
        EXPECT_EQ(s.queue[i].seq, static_cast<std::uint64_t>(i));
        EXPECT_EQ(s.queue[i].message.payload, std::to_string(i));
    }
    EXPECT_EQ(s.qos2_received.size(), static_cast<std::size_t>(kWrites));
}

// Documents what None does not promise: RocksDB fsyncs the WAL only when it switches files
// (a memtable flush, every 32 MiB of writes), so a power cut loses the writes since then —
// here all of them. The store opens without error: a torn tail is an unacknowledged write.
TEST(PowerCut, NoneLosesUnsyncedWritesButOpensCleanly) {
    TempDir tmp;
    StoredState state = write_then_cut_power(tmp.path(), SyncPolicy::None);
    EXPECT_LT(state.retained.size(), static_cast<std::size_t>(kWrites));
    EXPECT_TRUE(state.sessions.empty() || state.sessions[0].queue.size() < kWrites);
}

// An explicit sync() (what the Interval timer does) makes everything before it survive.
TEST(PowerCut, NoneWritesSurviveAfterAnExplicitSync) {
    TempDir tmp;
    StoredState state = write_then_cut_power(tmp.path(), SyncPolicy::None,
                                             [](Store& store) { EXPECT_TRUE(store.sync().ok()); });
    EXPECT_EQ(state.retained.size(), static_cast<std::size_t>(kWrites));
}

TEST(PowerCut, IntervalKeepsWhatTheBackgroundSyncCovered) {
    TempDir tmp;
    auto [fs, env] = FaultInjectionFs::make();
    std::mutex mutex;
    std::condition_variable synced;
    std::uint64_t synced_commits = 0;
    RocksDbTestHooks hooks;
    hooks.env = env.get();
    hooks.after_background_sync = [&](std::uint64_t commits) {
        std::lock_guard lock(mutex);
        synced_commits = commits;
        synced.notify_all();
    };
    {
        auto store = open_store(tmp.path(), SyncPolicy::Interval, hooks);
        ASSERT_TRUE(store);
        for (int i = 0; i < kWrites; ++i) {
            ASSERT_TRUE(store->put_retained(message("t/" + std::to_string(i), "x")).ok());
        }
        const std::uint64_t commits = store->stats().commits;
        {
            std::unique_lock lock(mutex);
            synced.wait(lock, [&] { return synced_commits >= commits; });
        }
        fs->cut_power();
    }
    fs->restore();
    auto store = open_store(tmp.path());
    ASSERT_TRUE(store);
    EXPECT_EQ(load_all(*store).retained.size(), static_cast<std::size_t>(kWrites));
}

}  // namespace
}  // namespace akasa::store

namespace akasa::store {
namespace {

// Group commit, made deterministic: the first writer's fsync is held at a gate while three
// more writers queue behind it; once released, the three are committed together, with one
// WAL write and one fsync. Four batches, two commits.
TEST(GroupCommit, WritersQueuedBehindAnFsyncShareTheNextOne) {
    testing::TempDir tmp;
    auto [fs, env] = testing::FaultInjectionFs::make();
    std::mutex mutex;
    std::condition_variable changed;
    bool armed = false, leader_in_sync = false, released = false;
    std::size_t queued = 0;
    RocksDbTestHooks hooks;
    hooks.env = env.get();
    hooks.after_enqueue = [&](std::size_t n) {
        std::lock_guard lock(mutex);
        queued = n;
        changed.notify_all();
    };
    auto store = testing::open_store(tmp.path(), SyncPolicy::Always, hooks);
    ASSERT_TRUE(store);
    fs->set_before_sync([&](const std::string& name) {
        if (!name.ends_with(".log")) return;
        std::unique_lock lock(mutex);
        if (!armed || leader_in_sync) return;
        leader_in_sync = true;
        changed.notify_all();
        changed.wait(lock, [&] { return released; });
    });
    {
        std::lock_guard lock(mutex);
        armed = true;
    }
    const StoreStats before = store->stats();
    auto write = [&](int i) {
        EXPECT_TRUE(store->put_retained(testing::message("t/" + std::to_string(i), "x")).ok());
    };
    std::thread leader(write, 0);
    {
        std::unique_lock lock(mutex);
        changed.wait(lock, [&] { return leader_in_sync; });
    }
    std::vector<std::thread> followers;
    for (int i = 1; i <= 3; ++i)
        followers.emplace_back(write, i);
    {
        std::unique_lock lock(mutex);
        changed.wait(lock, [&] { return queued == 4; });
        released = true;
        changed.notify_all();
    }
    leader.join();
    for (auto& t : followers)
        t.join();
    const StoreStats after = store->stats();
    EXPECT_EQ(after.batches - before.batches, 4u);
    EXPECT_EQ(after.commits - before.commits, 2u);
    fs->set_before_sync({});
    EXPECT_EQ(testing::load_all(*store).retained.size(), 4u);
}

}  // namespace
}  // namespace akasa::store
