// A session's queue of deliveries it cannot take now: in memory while it is short, and with
// persistence, for a stored session, past max_in_mem_pending_messages (or the byte bounds)
// in the store only, read back as the connected client drains the in-memory head
// (outbox.h, docs/persistence.md "Queued messages").
//
// Reading back must not take a record whose delivery is still on its way from another
// worker (it would be queued a second time when it arrives). Seqs come from one counter;
// each worker notes the smallest seq it allocated for other workers' sessions and has not
// posted yet (unposted_low_), so every record below the horizon (posting_horizon) was posted
// before the horizon was read; and a refill reads only below the horizon read when its inbox
// was last empty or drained (readable_below).
#include <spdlog/spdlog.h>

#include <algorithm>

#include "broker/persist/persist_codec.h"
#include "broker/persist/persist_store.h"
#include "broker/worker/worker.h"

namespace akasa::broker {

Worker::Queued Worker::queue_delivery(Session& session, Delivery&& delivery, std::size_t limit) {
    auto& outbox = session.outbox;
    const std::size_t cost = Outbox::budget_cost(*delivery.message);
    const bool total_fits = context_.queue_budget.fits(cost, limits().queue_bytes_total);
    if (session.stored && delivery.store_seq != 0 && persist_.enabled()) {
        // Its record is in the store (or in this worker's open batch, written before any
        // refill reads): the in-memory copy is optional.
        const std::size_t head = std::min<std::size_t>(limit, config().max_in_mem_pending_messages);
        if (outbox.stored_only_size() == 0 && total_fits &&
            outbox.enqueue(std::move(delivery), head, limits().queue_bytes)) {
            return Queued::InMemory;
        }
        if (outbox.queued_size() >= config().max_in_db_pending_messages) {
            count_queue_drop(session, QueueDrop::Full);
            persist_.queued_dropped(session, delivery);
            return Queued::Dropped;
        }
        outbox.spill(delivery.store_seq);
        counters_.add(counters_.queued_in_store);
        return Queued::InStore;
    }
    if (!total_fits) {
        total_queue_bytes_hit(session);
        persist_.queued_dropped(session, delivery);
        return Queued::Dropped;
    }
    if (!outbox.enqueue(std::move(delivery), limit, limits().queue_bytes)) {
        count_queue_drop(session,
                         outbox.pending_size() < limit ? QueueDrop::Bytes : QueueDrop::Full);
        persist_.queued_dropped(session, delivery);  // enqueue left it intact
        return Queued::Dropped;
    }
    return Queued::InMemory;
}

void Worker::count_queue_drop(Session& session, QueueDrop why) {
    ++session.queue_drops;
    if (why == QueueDrop::TotalBytes) {
        total_queue_bytes_hit(session);
        return;
    }
    if (why == QueueDrop::Bytes) {
        // Many sessions may overflow at once (a flood to offline subscribers): one line per
        // worker and interval, not per session.
        counters_.add(counters_.dropped_queue_bytes);
        limit_hit(MemoryLimit::PendingBytes,
                  "queue of client {} holds {} bytes in {} messages: dropping new messages "
                  "until it drains ({} dropped so far)",
                  session.client_id(), session.outbox.pending_bytes(),
                  session.outbox.pending_size(), session.queue_drops);
        return;
    }
    counters_.add(counters_.dropped_queue_full);
    if (!session.queue_overflow_reported) {
        // Once per overflow episode, not per message: a stalled client must not flood the log.
        session.queue_overflow_reported = true;
        spdlog::warn(
            "queue of client {} is full ({} messages, {}): dropping new messages until it "
            "drains ({} dropped so far)",
            session.client_id(), session.outbox.queued_size(),
            session.stored ? "max_in_db_pending_messages" : "max_in_mem_pending_messages",
            session.queue_drops);
    }
}

void Worker::total_queue_bytes_hit(Session& session) {
    counters_.add(counters_.dropped_queue_total_bytes);
    counters_.add(counters_.limit_hits[static_cast<std::size_t>(MemoryLimit::PendingBytesTotal)]);
    if (total_bytes_reported_) return;
    // Once per episode on this worker (until the queues are back under the bound, tick()).
    total_bytes_reported_ = true;
    spdlog::warn(
        "the queues of all sessions hold {} bytes in memory: dropping new messages for "
        "sessions without a stored queue (client {} first) until they drain; stored sessions "
        "queue in the store (max_in_mem_pending_bytes_total)",
        context_.queue_budget.used(), session.client_id());
}

void Worker::store_for_remote(SessionId target, Delivery& delivery) {
    if (!context_.persistence) return;
    // Before the seq is taken: it is at least what the counter shows now.
    if (unposted_low_.load(std::memory_order_relaxed) == UINT64_MAX)
        unposted_low_.store(context_.persistence->peek_next_seq(), std::memory_order_seq_cst);
    persist_.routed(target, nullptr, delivery, now_);
}

std::uint64_t Worker::posting_horizon() const {
    // The counter first: a seq taken after this read is at least this value.
    std::uint64_t horizon = context_.persistence->peek_next_seq();
    for (const auto& worker : context_.workers)
        horizon = std::min(horizon, worker->unposted_low_.load(std::memory_order_seq_cst));
    return horizon;
}

std::uint64_t Worker::readable_below() {
    std::lock_guard lock(inbox_mutex_);
    // An empty inbox: everything posted before the horizon is read has been drained.
    if (inbox_deliveries_.empty()) drained_below_ = posting_horizon();
    return drained_below_;
}

void Worker::refill_queue(Session& session) {
    auto& outbox = session.outbox;
    const std::size_t wanted = outbox.refill_wanted(config().max_in_mem_pending_messages);
    if (wanted == 0 || !context_.persistence) return;
    const std::uint64_t below = readable_below();
    const std::uint64_t from = outbox.stored_from();
    if (below <= from) {
        refill_waiting_.push_back(session.id());
        return;
    }
    // The tail's records of this worker's open batches, and the removals of records the head
    // sent since, are written first: reading sees the queue as it is.
    if (!persist_.empty() && !commit_persistence()) return;
    // A delivery that arrived (from another worker) after one with a larger seq had spilled
    // may be in the head with its record inside the range read: skipped, not queued twice.
    std::vector<std::uint64_t> in_head;
    for (std::size_t i = 0; i < outbox.pending_size(); ++i) {
        const std::uint64_t seq = outbox.pending_at(i).store_seq;
        if (seq >= from) in_head.push_back(seq);
    }
    std::sort(in_head.begin(), in_head.end());
    bool exhausted = false;
    auto& records = refill_scratch_;
    const store::Status status = context_.persistence->store().read_queued(
        session.client_id(), from, below, wanted + in_head.size(), &records, &exhausted);
    if (!status.ok()) {
        spdlog::error("persistence: reading the queue of client {} back: {}", session.client_id(),
                      status.to_string());
        refill_waiting_.push_back(session.id());
        return;
    }
    const auto clocks = persist::ClockPair::now(now_);
    std::size_t taken = 0;
    std::size_t expired = 0;
    std::uint64_t next_from = from;
    std::string error;
    for (auto& record : records) {
        next_from = record.seq + 1;
        if (std::binary_search(in_head.begin(), in_head.end(), record.seq)) continue;
        ++taken;
        Delivery delivery;
        delivery.store_seq = record.seq;
        if (record.message.expires_at && *record.message.expires_at <= clocks.wall) {
            ++expired;
            persist_.queued_dropped(session, delivery);
            continue;
        }
        delivery.message =
            persist::from_record(record.message, clocks, &delivery.subscription_ids, &error);
        if (!delivery.message) {
            // Written by this broker, so it decodes; if not, the client must not stall on it.
            spdlog::error("persistence: dropping a queued message of client {}: {}",
                          session.client_id(), error);
            persist_.queued_dropped(session, delivery);
            continue;
        }
        delivery.qos = static_cast<mqtt::QoS>(record.message.qos);
        delivery.retain = record.message.retain;
        outbox.push_refilled(std::move(delivery));
    }
    records.clear();
    if (expired) counters_.add(counters_.dropped_expired, expired);
    outbox.took_from_store(taken, next_from, exhausted);
    // Nothing readable yet (the rest of the tail is still on its way here): next iteration.
    if (taken == 0 && outbox.stored_only_size() > 0) refill_waiting_.push_back(session.id());
}

void Worker::retry_refills() {
    if (refill_waiting_.empty()) return;
    std::vector<SessionId> waiting;
    waiting.swap(refill_waiting_);
    std::sort(waiting.begin(), waiting.end());
    waiting.erase(std::unique(waiting.begin(), waiting.end()), waiting.end());
    for (const SessionId id : waiting) {
        Session* session = sessions_.find(id);
        if (session && session->connection) session->connection->pump();
    }
}

}  // namespace akasa::broker
