// StoreBatch cancellation: a record created and removed again before its batch is written
// costs nothing, in the same batch or across an `earlier` batch not yet written
// (persist_writer.h keeps two open). What reaches the store must be what the operations,
// applied one by one, would have left.
#include "store/store_batch.h"

#include <gtest/gtest.h>

#include "store/rocksdb_store.h"
#include "store_test_support.h"
#include "temp_dir.h"

namespace akasa::store {
namespace {

using testing::load_all;
using testing::message;
using testing::open_store;
using testing::session_record;
using testing::TempDir;

InflightRecord sent(std::uint16_t packet_id, std::string payload) {
    return {packet_id, InflightState::PublishSent, message("t", std::move(payload))};
}

InflightRecord released(std::uint16_t packet_id) {
    return {packet_id, InflightState::PubrelSent, {}};
}

std::size_t cancelled(const StoreBatch& batch) {
    std::size_t n = 0;
    for (const auto& op : batch.ops())
        n += op.type == StoreBatch::Op::Type::Cancelled;
    return n;
}

TEST(StoreBatch, QueuedAppendAndRemoveInOneBatchLeaveNothing) {
    StoreBatch batch;
    batch.append_queued("c", 1, message("t", "a"));
    batch.remove_queued("c", 1);
    EXPECT_TRUE(batch.empty());
    EXPECT_TRUE(batch.has_ops());  // cancelled operations stay until clear()
    EXPECT_EQ(cancelled(batch), 1u);
    EXPECT_EQ(batch.byte_size(), 0u);
}

TEST(StoreBatch, RemoveOfAQueuedRecordNotInTheBatchIsADelete) {
    StoreBatch batch;
    batch.remove_queued("c", 1);
    ASSERT_EQ(batch.size(), 1u);
    EXPECT_EQ(batch.ops()[0].type, StoreBatch::Op::Type::Delete);
}

TEST(StoreBatch, RemoveCancelsTheAppendOfTheEarlierOpenBatch) {
    StoreBatch earlier;
    StoreBatch later;
    earlier.append_queued("c", 1, message("t", "a"));
    earlier.append_queued("c", 2, message("t", "b"));
    later.remove_queued("c", 1, &earlier);
    EXPECT_EQ(earlier.size(), 1u);  // seq 2 stays
    EXPECT_TRUE(later.empty());     // and no delete is needed
}

TEST(StoreBatch, AcknowledgedInflightUseCancelsWholeWithItsPubrelState) {
    StoreBatch batch;
    batch.put_inflight("c", sent(5, "x"));
    batch.put_inflight("c", released(5));
    batch.erase_inflight("c", 5);
    EXPECT_TRUE(batch.empty());
    EXPECT_EQ(cancelled(batch), 2u);
}

TEST(StoreBatch, PubrelStateJoinsItsUseInTheEarlierBatch) {
    StoreBatch earlier;
    StoreBatch later;
    earlier.put_inflight("c", sent(5, "x"));
    later.put_inflight("c", released(5), &earlier);
    EXPECT_EQ(earlier.size(), 2u);
    EXPECT_TRUE(later.empty());
    later.erase_inflight("c", 5, &earlier);
    EXPECT_TRUE(earlier.empty());
    EXPECT_TRUE(later.empty());
}

TEST(StoreBatch, InflightRecordsNotCreatedInTheseBatchesAreUpdatedAndDeleted) {
    StoreBatch earlier;
    StoreBatch later;
    later.put_inflight("c", released(5), &earlier);  // its PublishSent record is in the store
    later.erase_inflight("c", 5, &earlier);
    ASSERT_EQ(later.size(), 2u);
    EXPECT_EQ(later.ops()[0].type, StoreBatch::Op::Type::Put);
    EXPECT_EQ(later.ops()[1].type, StoreBatch::Op::Type::Delete);
    EXPECT_TRUE(earlier.empty());
}

TEST(StoreBatch, OtherSessionsAndPacketIdsAreUntouched) {
    StoreBatch batch;
    batch.put_inflight("c", sent(5, "x"));
    batch.put_inflight("d", sent(5, "y"));
    batch.append_queued("c", 5, message("t", "z"));
    batch.erase_inflight("c", 6);
    batch.erase_inflight("d", 5);
    EXPECT_EQ(batch.size(), 3u);  // c's inflight 5, c's queued 5, the delete of c's 6
    EXPECT_EQ(cancelled(batch), 1u);
}

// What the store holds after two open batches are written in order equals what applying
// every operation one by one gives: packet id reuse, a session erased between, and moves
// from the queue to inflight.
TEST(StoreBatch, WrittenBatchesLeaveTheStateOfTheOperationsInOrder) {
    TempDir tmp;
    auto store = open_store(tmp.path());
    ASSERT_TRUE(store->put_session(session_record("c")).ok());
    ASSERT_TRUE(store->put_session(session_record("gone")).ok());
    ASSERT_TRUE(store->put_inflight("c", sent(7, "in the store")).ok());

    StoreBatch earlier;
    StoreBatch later;
    earlier.append_queued("c", 1, message("t", "one"));
    earlier.append_queued("c", 2, message("t", "two"));
    earlier.put_inflight("c", sent(5, "first use"));
    earlier.append_queued("gone", 3, message("t", "three"));

    later.remove_queued("c", 1, &earlier);  // sent: queued -> inflight
    later.put_inflight("c", sent(6, "one"), &earlier);
    later.erase_inflight("c", 5, &earlier);  // acknowledged: nothing of it was written
    later.put_inflight("c", sent(5, "second use"), &earlier);
    later.erase_inflight("c", 7, &earlier);  // written earlier: a delete
    later.erase_session("gone");
    later.remove_queued("gone", 3, &earlier);

    ASSERT_TRUE(store->write(earlier).ok());
    ASSERT_TRUE(store->write(later).ok());

    StoredState state = load_all(*store);
    ASSERT_EQ(state.sessions.size(), 1u);
    const SessionState& c = state.sessions[0];
    ASSERT_EQ(c.queue.size(), 1u);
    EXPECT_EQ(c.queue[0].seq, 2u);
    ASSERT_EQ(c.inflight.size(), 2u);
    EXPECT_EQ(c.inflight[0].packet_id, 5u);
    EXPECT_EQ(c.inflight[0].message.payload, "second use");
    EXPECT_EQ(c.inflight[1].packet_id, 6u);
    EXPECT_EQ(c.inflight[1].message.payload, "one");
    EXPECT_EQ(state.stats.orphans, 0u);
}

TEST(StoreBatch, ClearForgetsCancellableRecords) {
    StoreBatch batch;
    batch.append_queued("c", 1, message("t", "a"));
    batch.clear();
    batch.remove_queued("c", 1);  // written by the cleared batch: must be a delete now
    ASSERT_EQ(batch.size(), 1u);
    EXPECT_EQ(batch.ops()[0].type, StoreBatch::Op::Type::Delete);
}

}  // namespace
}  // namespace akasa::store
