// The stored-only tail of a session's queue (outbox.h) and the QueueBudget every queue
// charges: pure bookkeeping, without a store.
#include <gtest/gtest.h>

#include "broker/session/outbox.h"
#include "broker/session/queue_budget.h"

namespace akasa::broker {
namespace {

using mqtt::QoS;

Delivery make(std::string payload = "p", std::uint64_t seq = 0) {
    Delivery delivery{
        Message::create("t", payload, QoS::AtLeastOnce, false, 0), QoS::AtLeastOnce, false, 0, {}};
    delivery.store_seq = seq;
    return delivery;
}

TEST(OutboxStoredTail, SpilledDeliveriesCountInTheQueueNotInMemory) {
    Outbox box;
    ASSERT_TRUE(box.enqueue(make("a", 1), 2));
    ASSERT_TRUE(box.enqueue(make("b", 2), 2));
    box.spill(3);
    box.spill(4);
    EXPECT_EQ(box.pending_size(), 2u);
    EXPECT_EQ(box.stored_only_size(), 2u);
    EXPECT_EQ(box.queued_size(), 4u);
    EXPECT_TRUE(box.has_queued());
    EXPECT_FALSE(box.empty());
    EXPECT_EQ(box.stored_from(), 3u);
    // The tail holds no message bytes.
    EXPECT_EQ(box.pending_bytes(), 2 * make("a").message->size);
}

TEST(OutboxStoredTail, ReadingStartsAtTheSmallestSpilledSeq) {
    // A delivery from another worker may carry a smaller seq than one spilled before it.
    Outbox box;
    box.spill(10);
    box.spill(7);
    box.spill(12);
    EXPECT_EQ(box.stored_from(), 7u);
}

TEST(OutboxStoredTail, RefillWaitsUntilTheHeadIsDownToHalf) {
    Outbox box;
    for (std::uint64_t seq = 1; seq <= 4; ++seq)
        ASSERT_TRUE(box.enqueue(make("m", seq), 4));
    EXPECT_EQ(box.refill_wanted(4), 0u) << "no tail, nothing to read";
    box.spill(5);
    EXPECT_EQ(box.refill_wanted(4), 0u) << "head full";
    std::size_t expired = 0;
    ASSERT_TRUE(box.next_pending(Clock::now(), expired));
    EXPECT_EQ(box.refill_wanted(4), 0u) << "3 of 4 left: above half";
    ASSERT_TRUE(box.next_pending(Clock::now(), expired));
    EXPECT_EQ(box.refill_wanted(4), 2u) << "half: the room left";
    ASSERT_TRUE(box.next_pending(Clock::now(), expired));
    ASSERT_TRUE(box.next_pending(Clock::now(), expired));
    EXPECT_EQ(box.refill_wanted(4), 4u);
}

TEST(OutboxStoredTail, TakingFromTheStoreShortensTheTail) {
    Outbox box;
    for (std::uint64_t seq = 20; seq < 25; ++seq)
        box.spill(seq);
    box.push_refilled(make("x", 20));
    box.push_refilled(make("y", 21));
    box.took_from_store(2, 22, false);
    EXPECT_EQ(box.stored_only_size(), 3u);
    EXPECT_EQ(box.stored_from(), 22u);
    EXPECT_EQ(box.pending_size(), 2u);
    EXPECT_EQ(box.pending_bytes(), 2 * make("x").message->size);
    // Taking the rest empties the tail.
    box.took_from_store(3, 25, false);
    EXPECT_EQ(box.stored_only_size(), 0u);
    EXPECT_EQ(box.stored_from(), 0u);
}

TEST(OutboxStoredTail, AnExhaustedStoreEndsTheTailWhateverItsCount) {
    // Records a failed write dropped were counted: the store's answer wins.
    Outbox box;
    for (std::uint64_t seq = 1; seq <= 5; ++seq)
        box.spill(seq);
    box.took_from_store(1, 2, /*exhausted=*/true);
    EXPECT_EQ(box.stored_only_size(), 0u);
    EXPECT_EQ(box.refill_wanted(8), 0u);
    EXPECT_TRUE(box.empty());
}

TEST(QueueBudget, ChargesWhatIsQueuedAndCreditsWhatLeaves) {
    QueueBudget budget;
    {
        Outbox box;
        box.use_budget(&budget);
        ASSERT_TRUE(box.enqueue(make("12345"), 10));
        const std::size_t one = Outbox::budget_cost(*make("12345").message);
        EXPECT_EQ(budget.used(), one);
        box.push_refilled(make("12345"));
        EXPECT_EQ(budget.used(), 2 * one);
        std::size_t expired = 0;
        ASSERT_TRUE(box.next_pending(Clock::now(), expired));
        EXPECT_EQ(budget.used(), one);
        box.spill(9);  // the tail is not in memory
        EXPECT_EQ(budget.used(), one);
    }
    EXPECT_EQ(budget.used(), 0u) << "a destroyed outbox credits what it still held";
}

TEST(QueueBudget, FitsUpToTheLimit) {
    QueueBudget budget;
    budget.charge(90);
    EXPECT_TRUE(budget.fits(10, 100));
    EXPECT_FALSE(budget.fits(11, 100));
    budget.charge(20);
    EXPECT_FALSE(budget.fits(0, 100)) << "over the limit already";
}

}  // namespace
}  // namespace akasa::broker
