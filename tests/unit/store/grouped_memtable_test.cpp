// The store's grouped memtable (grouped_memtable.h) through the store: one client's queue read
// back in seq order among other clients' records (ids that are prefixes of each other too),
// removals seen by the next read, recovery in key order across groups, and a read ordering
// that client's entries only.
#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <vector>

#include "store/rocksdb_store.h"
#include "store_test_support.h"
#include "temp_dir.h"

namespace akasa::store {
namespace {

using testing::load_all;
using testing::message;
using testing::open_store;
using testing::TempDir;

std::vector<std::uint64_t> read_seqs(Store& store, std::string_view client_id, std::uint64_t from,
                                     std::uint64_t below, std::size_t max_count, bool* exhausted) {
    std::vector<QueuedMessage> out;
    const Status s = store.read_queued(client_id, from, below, max_count, &out, exhausted);
    EXPECT_TRUE(s.ok()) << s.to_string();
    std::vector<std::uint64_t> seqs;
    for (const QueuedMessage& m : out)
        seqs.push_back(m.seq);
    return seqs;
}

// Clients "a", "ab" and "b" queue interleaved seqs 1..30 (seq % 3 picks the client), each
// with its session and a subscription around them.
void fill(Store& store) {
    const std::string ids[] = {"a", "ab", "b"};
    for (const std::string& id : ids) {
        ASSERT_TRUE(store.put_session(testing::session_record(id)).ok());
        SubscriptionRecord sub;
        sub.filter = "t/#";
        sub.qos = 1;
        ASSERT_TRUE(store.put_subscription(id, sub).ok());
    }
    for (std::uint64_t seq = 1; seq <= 30; ++seq) {
        const std::string& id = ids[seq % 3];
        ASSERT_TRUE(store.append_queued(id, seq, message("t/x", id + std::to_string(seq))).ok());
    }
}

TEST(GroupedMemtable, ReadQueuedReturnsOneClientInSeqOrder) {
    TempDir tmp;
    auto store = open_store(tmp.path());
    ASSERT_TRUE(store);
    fill(*store);
    bool exhausted = false;
    // "a" holds 3, 6, ..., 30; "ab" (whose id "a" is a prefix of) holds 1, 4, ..., 28.
    EXPECT_EQ(read_seqs(*store, "a", 0, UINT64_MAX, 4, &exhausted),
              (std::vector<std::uint64_t>{3, 6, 9, 12}));
    EXPECT_FALSE(exhausted);
    EXPECT_EQ(read_seqs(*store, "ab", 20, UINT64_MAX, 100, &exhausted),
              (std::vector<std::uint64_t>{22, 25, 28}));
    EXPECT_TRUE(exhausted);
    EXPECT_EQ(read_seqs(*store, "b", 0, 12, 100, &exhausted),
              (std::vector<std::uint64_t>{2, 5, 8, 11}));
    EXPECT_FALSE(exhausted);  // 14 .. 29 are there, below_seq cut them off
    EXPECT_TRUE(read_seqs(*store, "c", 0, UINT64_MAX, 100, &exhausted).empty());
    EXPECT_TRUE(exhausted);

    // Removed records are gone for the next read; a new one is there.
    ASSERT_TRUE(store->remove_queued("a", 3).ok());
    ASSERT_TRUE(store->remove_queued("a", 9).ok());
    ASSERT_TRUE(store->append_queued("a", 31, message("t/x", "a31")).ok());
    EXPECT_EQ(read_seqs(*store, "a", 0, UINT64_MAX, 4, &exhausted),
              (std::vector<std::uint64_t>{6, 12, 15, 18}));
    EXPECT_EQ(read_seqs(*store, "a", 28, UINT64_MAX, 100, &exhausted),
              (std::vector<std::uint64_t>{30, 31}));
    EXPECT_TRUE(exhausted);

    // The payloads belong to their records.
    std::vector<QueuedMessage> out;
    ASSERT_TRUE(store->read_queued("ab", 4, 5, 10, &out, &exhausted).ok());
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].message.payload, "ab4");
}

TEST(GroupedMemtable, RecoveryReadsEveryGroupInKeyOrderBeforeAndAfterReopen) {
    TempDir tmp;
    auto check = [](Store& store) {
        StoredState state = load_all(store);
        ASSERT_EQ(state.sessions.size(), 3u);
        // Key order: the id's length comes first ('S' len16 id), then its bytes.
        const std::string ids[] = {"a", "b", "ab"};
        const std::uint64_t residue[] = {0, 2, 1};  // fill(): seq % 3 picks the client
        for (std::size_t i = 0; i < 3; ++i) {
            const SessionState& s = state.sessions[i];
            EXPECT_EQ(s.session.client_id, ids[i]);
            ASSERT_EQ(s.subscriptions.size(), 1u);
            ASSERT_EQ(s.queue.size(), 10u);
            for (std::size_t q = 0; q < s.queue.size(); ++q) {
                EXPECT_EQ(s.queue[q].seq % 3, residue[i]);
                if (q > 0) {
                    EXPECT_LT(s.queue[q - 1].seq, s.queue[q].seq);
                }
            }
        }
        ASSERT_EQ(state.retained.size(), 2u);
        EXPECT_EQ(state.retained[0].topic, "r/1");
        EXPECT_EQ(state.retained[1].topic, "r/2");
    };
    {
        auto store = open_store(tmp.path());
        ASSERT_TRUE(store);
        ASSERT_TRUE(store->put_retained(message("r/2", "two")).ok());
        fill(*store);
        ASSERT_TRUE(store->put_retained(message("r/1", "one")).ok());
        check(*store);
    }
    auto store = open_store(tmp.path());  // the records come back from the WAL
    ASSERT_TRUE(store);
    check(*store);
}

TEST(GroupedMemtable, ReadingOneQueueOrdersThatClientsEntriesOnly) {
    TempDir tmp;
    std::atomic<std::uint64_t> ordered{0};
    RocksDbTestHooks hooks;
    hooks.memtable_entries_ordered = &ordered;
    auto store = open_store(tmp.path(), SyncPolicy::None, hooks);
    ASSERT_TRUE(store);
    StoreBatch batch;
    for (std::uint64_t seq = 1; seq <= 5000; ++seq)
        batch.append_queued("busy", seq, message("t/x", "payload"));
    for (std::uint64_t seq = 5001; seq <= 5010; ++seq)
        batch.append_queued("quiet", seq, message("t/x", "payload"));
    ASSERT_TRUE(store->write(batch).ok());
    ordered = 0;
    bool exhausted = false;
    EXPECT_EQ(read_seqs(*store, "quiet", 0, UINT64_MAX, 100, &exhausted).size(), 10u);
    // The quiet client's 10 entries, not the 5,010 of the write buffer (as the vector
    // memtable did for every read).
    EXPECT_LE(ordered.load(), 10u);
}

}  // namespace
}  // namespace akasa::store
