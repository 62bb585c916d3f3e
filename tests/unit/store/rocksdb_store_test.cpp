#include "store/rocksdb_store.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <thread>

#include "store_test_support.h"
#include "temp_dir.h"

namespace akasa::store {
namespace {

using testing::load_all;
using testing::message;
using testing::open_store;
using testing::TempDir;

SessionRecord session(std::string client_id) {
    SessionRecord s = testing::session_record(std::move(client_id));
    s.disconnected_at = WallTime(std::chrono::milliseconds(1'700'000'000'000));
    s.will = WillRecord{"will/topic", "bye", 1, false, "p", 10, std::nullopt};
    return s;
}

SubscriptionRecord subscription(std::string filter, std::uint8_t qos) {
    SubscriptionRecord s;
    s.filter = std::move(filter);
    s.qos = qos;
    s.identifier = 7;
    return s;
}

TEST(RocksDbStore, CreatesMissingDirectoryAndStartsEmpty) {
    TempDir tmp;
    const std::string dir = tmp.sub("a/b/data");
    auto store = open_store(dir);
    ASSERT_TRUE(store);
    EXPECT_EQ(store->dir(), dir);
    StoredState state = load_all(*store);
    EXPECT_TRUE(state.retained.empty());
    EXPECT_TRUE(state.sessions.empty());
}

TEST(RocksDbStore, RetainedPutEraseSurviveReopen) {
    TempDir tmp;
    MessageRecord kept = message("a/b", "payload", 2);
    kept.retain = true;
    kept.properties = "props";
    kept.expires_at = WallTime(std::chrono::milliseconds(1'800'000'000'000));
    {
        auto store = open_store(tmp.path());
        ASSERT_TRUE(store->put_retained(kept).ok());
        ASSERT_TRUE(store->put_retained(message("a/c", "old")).ok());
        ASSERT_TRUE(store->put_retained(message("a/c", "new")).ok());  // replaces
        ASSERT_TRUE(store->put_retained(message("gone", "x")).ok());
        ASSERT_TRUE(store->erase_retained("gone").ok());
        ASSERT_TRUE(store->erase_retained("never/there").ok());
    }
    auto store = open_store(tmp.path());
    StoredState state = load_all(*store);
    ASSERT_EQ(state.retained.size(), 2u);
    EXPECT_EQ(state.retained[0], kept);
    EXPECT_EQ(state.retained[1], message("a/c", "new"));
    EXPECT_EQ(state.stats.retained, 2u);
}

TEST(RocksDbStore, SessionWithAllSubRecordsRoundTrips) {
    TempDir tmp;
    InflightRecord sent{5, InflightState::PublishSent, message("x", "1", 1)};
    InflightRecord released{6, InflightState::PubrelSent, {}};
    {
        auto store = open_store(tmp.path());
        StoreBatch batch;
        batch.put_session(session("c1"));
        batch.put_subscription("c1", subscription("b/#", 1));
        batch.put_subscription("c1", subscription("a/+", 2));
        batch.append_queued("c1", 2, message("q", "second"));
        batch.append_queued("c1", 1, message("q", "first"));
        batch.put_inflight("c1", sent);
        batch.put_inflight("c1", InflightRecord{6, InflightState::PublishSent, message("y", "2")});
        batch.put_inflight("c1", released);  // PUBREC arrived: the same key moves on
        batch.set_qos2_received("c1", 300);
        batch.set_qos2_received("c1", 9);
        ASSERT_TRUE(store->write(batch).ok());
    }
    auto store = open_store(tmp.path());
    StoredState state = load_all(*store);
    ASSERT_EQ(state.sessions.size(), 1u);
    const SessionState& s = state.sessions[0];
    EXPECT_EQ(s.session, session("c1"));
    ASSERT_EQ(s.subscriptions.size(), 2u);
    EXPECT_EQ(s.subscriptions[0], subscription("a/+", 2));
    EXPECT_EQ(s.subscriptions[1], subscription("b/#", 1));
    ASSERT_EQ(s.queue.size(), 2u);
    EXPECT_EQ(s.queue[0], (QueuedMessage{1, message("q", "first")}));
    EXPECT_EQ(s.queue[1], (QueuedMessage{2, message("q", "second")}));
    ASSERT_EQ(s.inflight.size(), 2u);
    EXPECT_EQ(s.inflight[0], sent);
    EXPECT_EQ(s.inflight[1], released);
    EXPECT_EQ(s.qos2_received, (std::vector<std::uint16_t>{9, 300}));
    EXPECT_EQ(state.stats.sessions, 1u);
    EXPECT_EQ(state.stats.subscriptions, 2u);
    EXPECT_EQ(state.stats.queued, 2u);
    EXPECT_EQ(state.stats.inflight, 2u);
    EXPECT_EQ(state.stats.qos2_received, 2u);
}

TEST(RocksDbStore, SubRecordEraseOperations) {
    TempDir tmp;
    auto store = open_store(tmp.path());
    ASSERT_TRUE(store->put_session(session("c")).ok());
    ASSERT_TRUE(store->put_subscription("c", subscription("a", 0)).ok());
    ASSERT_TRUE(store->put_subscription("c", subscription("b", 0)).ok());
    ASSERT_TRUE(store->erase_subscription("c", "a").ok());
    ASSERT_TRUE(store->append_queued("c", 1, message("t", "1")).ok());
    ASSERT_TRUE(store->append_queued("c", 2, message("t", "2")).ok());
    ASSERT_TRUE(store->remove_queued("c", 1).ok());
    ASSERT_TRUE(store->put_inflight("c", {1, InflightState::PubrelSent, {}}).ok());
    ASSERT_TRUE(store->erase_inflight("c", 1).ok());
    ASSERT_TRUE(store->set_qos2_received("c", 4).ok());
    ASSERT_TRUE(store->set_qos2_received("c", 5).ok());
    ASSERT_TRUE(store->clear_qos2_received("c", 4).ok());

    StoredState state = load_all(*store);
    ASSERT_EQ(state.sessions.size(), 1u);
    const SessionState& s = state.sessions[0];
    ASSERT_EQ(s.subscriptions.size(), 1u);
    EXPECT_EQ(s.subscriptions[0].filter, "b");
    ASSERT_EQ(s.queue.size(), 1u);
    EXPECT_EQ(s.queue[0].seq, 2u);
    EXPECT_TRUE(s.inflight.empty());
    EXPECT_EQ(s.qos2_received, (std::vector<std::uint16_t>{5}));
}

// A message queued and taken out again in the same batch (routed to an online persistent
// session and sent at once) writes nothing; one queued in an earlier batch is deleted.
TEST(RocksDbStore, QueuedThenRemovedInOneBatchCancelsOut) {
    TempDir tmp;
    auto store = open_store(tmp.path());
    ASSERT_TRUE(store->put_session(session("c")).ok());
    ASSERT_TRUE(store->append_queued("c", 1, message("t", "committed earlier")).ok());
    StoreBatch batch;
    batch.append_queued("c", 2, message("t", "sent at once"));
    batch.put_inflight("c", {9, InflightState::PublishSent, message("t", "sent at once")});
    batch.remove_queued("c", 2);
    EXPECT_EQ(batch.size(), 1u);  // only the inflight record is left
    batch.remove_queued("c", 1);  // not in this batch: a delete
    EXPECT_EQ(batch.size(), 2u);
    ASSERT_TRUE(store->write(batch).ok());

    StoredState state = load_all(*store);
    ASSERT_EQ(state.sessions.size(), 1u);
    EXPECT_TRUE(state.sessions[0].queue.empty());
    ASSERT_EQ(state.sessions[0].inflight.size(), 1u);
    EXPECT_EQ(state.sessions[0].inflight[0].packet_id, 9u);
}

// Erasing a session removes everything under it and nothing of the sessions whose client
// ids share its prefix.
TEST(RocksDbStore, EraseSessionRemovesAllItsSubRecordsOnly) {
    TempDir tmp;
    auto store = open_store(tmp.path());
    for (const std::string& id :
         {std::string("a"), std::string("ab"), std::string("a\0", 2), std::string("b")}) {
        StoreBatch batch;
        batch.put_session(session(id));
        batch.put_subscription(id, subscription("f", 1));
        batch.append_queued(id, 1, message("t", id));
        batch.put_inflight(id, {3, InflightState::PubrelSent, {}});
        batch.set_qos2_received(id, 4);
        ASSERT_TRUE(store->write(batch).ok());
    }
    ASSERT_TRUE(store->erase_session("a").ok());
    StoredState state = load_all(*store);
    std::vector<std::string> ids;
    for (const SessionState& s : state.sessions) {
        ids.push_back(s.session.client_id);
        EXPECT_EQ(s.subscriptions.size(), 1u);
        EXPECT_EQ(s.queue.size(), 1u);
        EXPECT_EQ(s.inflight.size(), 1u);
        EXPECT_EQ(s.qos2_received.size(), 1u);
    }
    EXPECT_EQ(ids, (std::vector<std::string>{"b", std::string("a\0", 2), "ab"}));
    EXPECT_EQ(state.stats.orphans, 0u);

    // A session put again after its erase starts empty.
    ASSERT_TRUE(store->put_session(session("a")).ok());
    state = load_all(*store);
    auto it = std::find_if(state.sessions.begin(), state.sessions.end(),
                           [](const SessionState& s) { return s.session.client_id == "a"; });
    ASSERT_NE(it, state.sessions.end());
    EXPECT_TRUE(it->subscriptions.empty());
    EXPECT_TRUE(it->queue.empty());
}

TEST(RocksDbStore, QueuedMessagesRecoverInSeqOrder) {
    TempDir tmp;
    std::vector<std::uint64_t> seqs(1000);
    for (std::size_t i = 0; i < seqs.size(); ++i)
        seqs[i] = i * 37 + (i % 3 == 0 ? 1ull << 40 : 0);
    std::vector<std::uint64_t> shuffled = seqs;
    std::shuffle(shuffled.begin(), shuffled.end(), std::mt19937(42));
    {
        auto store = open_store(tmp.path());
        ASSERT_TRUE(store->put_session(session("q")).ok());
        StoreBatch batch;
        for (std::uint64_t seq : shuffled) {
            batch.append_queued("q", seq, message("t", std::to_string(seq)));
            if (batch.size() == 100) {
                ASSERT_TRUE(store->write(batch).ok());
                batch.clear();
            }
        }
    }
    auto store = open_store(tmp.path());
    StoredState state = load_all(*store);
    ASSERT_EQ(state.sessions.size(), 1u);
    const auto& queue = state.sessions[0].queue;
    std::sort(seqs.begin(), seqs.end());
    ASSERT_EQ(queue.size(), seqs.size());
    for (std::size_t i = 0; i < seqs.size(); ++i) {
        EXPECT_EQ(queue[i].seq, seqs[i]);
        EXPECT_EQ(queue[i].message.payload, std::to_string(seqs[i]));
    }
}

TEST(RocksDbStore, SubRecordsWithoutSessionAreCountedNotReturned) {
    TempDir tmp;
    auto store = open_store(tmp.path());
    ASSERT_TRUE(store->put_subscription("nobody", subscription("f", 0)).ok());
    ASSERT_TRUE(store->append_queued("nobody", 1, message("t", "x")).ok());
    StoredState state = load_all(*store);
    EXPECT_TRUE(state.sessions.empty());
    EXPECT_EQ(state.stats.orphans, 2u);
}

TEST(RocksDbStore, BatchIsAtomicAndInvalidBatchWritesNothing) {
    TempDir tmp;
    auto store = open_store(tmp.path());
    StoreBatch batch;
    batch.put_retained(message("before", "x"));
    batch.put_session(session(std::string(65536, 'x')));
    EXPECT_EQ(batch.status().code(), Status::Code::InvalidArgument);
    EXPECT_EQ(store->write(batch).code(), Status::Code::InvalidArgument);
    EXPECT_TRUE(load_all(*store).retained.empty());
    batch.clear();
    EXPECT_TRUE(batch.status().ok());
    batch.put_session(session(std::string(65535, 'x')));  // the longest MQTT string fits
    ASSERT_TRUE(store->write(batch).ok());
    EXPECT_EQ(load_all(*store).sessions.size(), 1u);
}

TEST(RocksDbStore, EmptyBatchIsANoOp) {
    TempDir tmp;
    auto store = open_store(tmp.path());
    StoreBatch batch;
    EXPECT_TRUE(store->write(batch).ok());
    EXPECT_EQ(store->stats().commits, 0u);
}

// Concurrent writers all get their batches stored; with Always their fsyncs are shared
// (commits <= batches; how many are grouped depends on timing, so only the bound is checked).
TEST(RocksDbStore, ConcurrentWritersUnderEveryPolicy) {
    for (SyncPolicy policy : {SyncPolicy::None, SyncPolicy::Interval, SyncPolicy::Always}) {
        TempDir tmp;
        constexpr int kThreads = 4;
        constexpr int kPerThread = 200;
        {
            auto store = open_store(tmp.path(), policy);
            std::vector<std::thread> threads;
            for (int t = 0; t < kThreads; ++t) {
                threads.emplace_back([&, t] {
                    for (int i = 0; i < kPerThread; ++i) {
                        const std::string topic =
                            "t/" + std::to_string(t) + "/" + std::to_string(i);
                        EXPECT_TRUE(store->put_retained(message(topic, "x")).ok());
                    }
                });
            }
            for (auto& thread : threads)
                thread.join();
            const StoreStats stats = store->stats();
            EXPECT_EQ(stats.batches, static_cast<std::uint64_t>(kThreads * kPerThread));
            EXPECT_LE(stats.commits, stats.batches);
            EXPECT_GE(stats.commits, 1u);
        }
        auto store = open_store(tmp.path());
        EXPECT_EQ(load_all(*store).retained.size(), static_cast<std::size_t>(kThreads * kPerThread))
            << to_string(policy);
    }
}

TEST(RocksDbStore, IntervalPolicySyncsInTheBackground) {
    TempDir tmp;
    std::mutex mutex;
    std::condition_variable synced;
    std::uint64_t synced_commits = 0;
    RocksDbTestHooks hooks;
    hooks.after_background_sync = [&](std::uint64_t commits) {
        std::lock_guard lock(mutex);
        synced_commits = commits;
        synced.notify_all();
    };
    auto store = open_store(tmp.path(), SyncPolicy::Interval, hooks);
    ASSERT_TRUE(store->put_retained(message("t", "x")).ok());
    std::unique_lock lock(mutex);
    synced.wait(lock, [&] { return synced_commits >= 1; });
    EXPECT_GE(store->stats().background_syncs, 1u);
}

TEST(RocksDbStore, OpenRejectsBadOptions) {
    std::unique_ptr<Store> store;
    EXPECT_EQ(RocksDbStore::open({}, &store).code(), Status::Code::InvalidArgument);
    TempDir tmp;
    StoreOptions options{tmp.path(), SyncPolicy::Interval, std::chrono::milliseconds(0)};
    EXPECT_EQ(RocksDbStore::open(options, &store).code(), Status::Code::InvalidArgument);
}

TEST(RocksDbStore, SecondOpenOfTheSameDirectoryFailsNamingIt) {
    TempDir tmp;
    auto first = open_store(tmp.path());
    std::unique_ptr<Store> second;
    const Status s = open_rocksdb_store({tmp.path()}, &second);
    EXPECT_FALSE(s.ok());
    EXPECT_NE(s.message().find(tmp.path()), std::string::npos) << s.message();
}

TEST(RocksDbStore, PathThatIsAFileIsAnError) {
    TempDir tmp;
    const std::string file = tmp.sub("file");
    FILE* f = std::fopen(file.c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fclose(f);
    std::unique_ptr<Store> store;
    const Status s = open_rocksdb_store({file}, &store);
    EXPECT_EQ(s.code(), Status::Code::IoError);
    EXPECT_NE(s.message().find(file), std::string::npos) << s.message();
}

}  // namespace
}  // namespace akasa::store
