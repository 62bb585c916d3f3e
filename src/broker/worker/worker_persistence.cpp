// The worker's side of persistence: committing the loop iteration's batch before anything it
// acknowledges leaves (and what to do when that fails), and putting a recovered session back.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <limits>

#include "broker/persist/persist_codec.h"
#include "broker/persist/persist_writer.h"
#include "broker/worker/worker.h"

namespace akasa::broker {
namespace {

// Busy loop iterations per store generation (persist_writer.h). A QoS 1 PUBLISH sent at the
// end of one iteration is acknowledged by a prompt subscriber a few iterations later (64
// ready sockets per iteration, several hundred connections); with two generations open its
// records are still unwritten then and cancel out. Scenario b with persistent sessions
// (docs/benchmarks.md, "Persistence"): 1 iteration per generation cancels a third of the
// records (~280k delivered/s), 2 nearly all (~540k), 4 the best (~560k), 6-8 slower again
// (~430k: publishers wait too long for their acknowledgements). A fixed time instead of
// iterations would delay the publishers' acknowledgements also when the broker is not busy.
constexpr int kIterationsPerGeneration = 4;

}  // namespace

void Worker::advance_persistence(bool idle) {
    if (!persist_.enabled()) return;
    // Deliveries to other workers may carry records of the open batches (a queued copy):
    // they go after those are written, so the other worker's later writes land after ours.
    const bool posting = std::any_of(outgoing_.begin(), outgoing_.end(),
                                     [](const auto& deliveries) { return !deliveries.empty(); });
    // Idle (the poll found nothing to do): no acknowledgement is on its way to cancel
    // anything, so nothing gains from waiting.
    if (posting || shutting_down_ || idle) {
        commit_persistence();
        busy_iterations_ = 0;
        return;
    }
    if (persist_.empty() && held_.empty()) return;
    if (++busy_iterations_ < kIterationsPerGeneration) return;
    busy_iterations_ = 0;
    const store::Status status = persist_.advance();
    if (status.ok()) {
        release_held();
    } else {
        persistence_failed(status);
    }
}

bool Worker::commit_persistence() {
    if (persist_failing_) return true;
    if (persist_.empty()) {
        release_held();
        return true;
    }
    const store::Status status = persist_.commit();
    if (status.ok()) {
        release_held();
        return true;
    }
    persistence_failed(status);
    return false;
}

void Worker::release_held() {
    std::size_t kept = 0;
    for (auto* connection : held_) {
        if (connection->waits_for_store()) {
            held_[kept++] = connection;
        } else {
            connection->worker_lists().held = false;
            mark_dirty(*connection);
        }
    }
    held_.resize(kept);
}

void Worker::persistence_failed(const store::Status& status) {
    // The open batches (both dropped now) held what the waiting acknowledgements stand for:
    // none of them may be sent. Drop the output of the connections holding one (held_, or
    // dirty with an acknowledgement written) and close them (without a
    // DISCONNECT: the dropped output may have held the CONNACK, and none may follow without
    // one [MQTT-3.14.0-1]); their clients resend what was not acknowledged. A later commit
    // retries the store (after a full disk, RocksDB is reopened by the store on the next
    // write, so work resumes as soon as space is back).
    spdlog::error("persistence: {}; closing the connections whose acknowledgements it held",
                  status.to_string());
    counters_.add(counters_.connections_refused);
    persist_failing_ = true;
    std::vector<ClientConnection*> held;
    held.swap(held_);
    for (auto* connection : held)
        connection->worker_lists().held = false;
    for (auto* list : {&dirty_, &flushing_}) {
        for (auto* connection : *list) {
            if (connection->worker_lists().dirty && connection->output_awaits_store() &&
                std::find(held.begin(), held.end(), connection) == held.end()) {
                held.push_back(connection);
            }
        }
    }
    for (auto* connection : held)
        connection->drop_output();
    for (auto* connection : held) {
        connection->close(CloseReason{"the persistent store refused a write", std::nullopt, true});
    }
    persist_failing_ = false;
}

std::string Worker::restore_session(store::SessionState&& state, const persist::ClockPair& clocks,
                                    store::StoreBatch& cleanup, std::uint64_t& max_seq,
                                    DroppedTopics& dropped) {
    const std::string& client_id = state.session.client_id;
    auto where = [&](std::string_view what) {
        return "session of client \"" + client_id + "\": " + std::string(what);
    };
    // A record whose topic the current limits refuse (written with larger ones) is dropped
    // from the store like an expired one: this configuration could never have accepted it.
    const TopicLimits& limits = topic_limits();
    auto over_limits = [&](std::string_view kind, std::string_view topic, bool filter) {
        const auto breach = filter ? limits.check_filter(topic) : limits.check_name(topic);
        if (breach) dropped.add(where(kind), topic, *breach);
        return breach.has_value();
    };
    const SessionId id = (static_cast<SessionId>(index_ + 1) << 48) | next_session_serial_++;
    auto owned = std::make_unique<Session>(id, client_id);
    Session& session = *owned;
    session.outbox.use_budget(&context_.queue_budget);
    session.version = static_cast<mqtt::ProtocolVersion>(state.session.protocol_version);
    session.expiry_interval = state.session.expiry_interval_s;
    session.stored = true;
    session.owner_unknown = !state.session.owner_known;
    if (state.session.owner)
        session.owner = std::make_unique<const std::string>(*state.session.owner);

    // A session connected at the crash has no disconnected_at: it counts from now.
    const Clock::time_point disconnected = state.session.disconnected_at
                                               ? clocks.to_steady(*state.session.disconnected_at)
                                               : clocks.steady;
    if (session.expiry_interval != kSessionNeverExpires) {
        // Already in the past when it expired during the downtime: the first tick ends it.
        session.expires_at = disconnected + std::chrono::seconds(session.expiry_interval);
    }
    if (state.session.will && over_limits("will", state.session.will->topic, false)) {
        store::SessionRecord without_will = state.session;
        without_will.will.reset();
        cleanup.put_session(without_will);
        state.session.will.reset();
    }
    if (state.session.will) {
        const auto& w = *state.session.will;
        auto will = Message::create(w.topic, w.payload, static_cast<mqtt::QoS>(w.qos), w.retain, 0);
        std::unique_ptr<const MessageProperties> properties;
        if (!persist::decode_properties(w.properties, &properties, nullptr)) {
            return where("will properties do not decode");
        }
        will->set_properties(std::move(properties));
        // Counted from the publication (mqtt5_message_expiry.h).
        will->will_expiry_interval = w.message_expiry_interval_s;
        auto at = disconnected + std::chrono::seconds(w.delay_interval_s);
        if (session.expires_at) at = std::min(at, *session.expires_at);
        session.delayed_will = std::move(will);
        session.delayed_will_at = at;
    }

    for (const auto& s : state.subscriptions) {
        if (over_limits("subscription", s.filter, true)) {
            cleanup.erase_subscription(client_id, s.filter);
            continue;
        }
        StoredSubscription stored;
        stored.options.qos = static_cast<mqtt::QoS>(s.qos);
        stored.options.no_local = s.no_local;
        stored.options.retain_as_published = s.retain_as_published;
        stored.options.retain_handling = s.retain_handling;
        stored.identifier = s.identifier.value_or(0);
        Subscription entry;
        entry.session = id;
        entry.identifier = stored.identifier;
        entry.qos = s.qos;
        entry.no_local = s.no_local;
        entry.retain_as_published = s.retain_as_published;
        entry.retain_handling = s.retain_handling;
        context_.subscriptions.subscribe(s.filter, entry);
        session.subscriptions[s.filter] = stored;
    }

    std::string error;
    for (auto& record : state.inflight) {
        Delivery delivery;
        auto stage = InflightEntry::Stage::AwaitPubAckOrPubRec;
        if (record.state == store::InflightState::PubrelSent) {
            stage = InflightEntry::Stage::AwaitPubComp;
            delivery.qos = mqtt::QoS::ExactlyOnce;
        } else {
            if (over_limits("inflight message", record.message.topic, false)) {
                cleanup.erase_inflight(client_id, record.packet_id);
                continue;
            }
            delivery.message =
                persist::from_record(record.message, clocks, &delivery.subscription_ids, &error);
            if (!delivery.message) return where(error);
            delivery.qos = static_cast<mqtt::QoS>(record.message.qos);
            delivery.retain = record.message.retain;
        }
        session.outbox.restore(record.packet_id, stage, std::move(delivery), clocks.steady);
    }

    // The head of the queue is decoded into memory, the rest stays in the store only (the
    // stored-only tail, read back as the client drains the head: worker_queue.cpp).
    const std::size_t limit = config().max_in_db_pending_messages;
    const std::size_t head = config().max_in_mem_pending_messages;
    for (auto& queued : state.queue) {
        max_seq = std::max(max_seq, queued.seq);
        const bool expired = queued.message.expires_at && *queued.message.expires_at <= clocks.wall;
        if (!expired && over_limits("queued message", queued.message.topic, false)) {
            cleanup.remove_queued(client_id, queued.seq);
            continue;
        }
        if (expired || session.outbox.queued_size() >= limit) {
            cleanup.remove_queued(client_id, queued.seq);
            if (expired)
                counters_.add(counters_.dropped_expired);
            else
                counters_.add(counters_.dropped_queue_full);
            continue;
        }
        if (session.outbox.stored_only_size() > 0 || session.outbox.pending_size() >= head ||
            !context_.queue_budget.fits(0, generation_->limits.queue_bytes_total)) {
            session.outbox.spill(queued.seq);
            continue;
        }
        Delivery delivery;
        delivery.message =
            persist::from_record(queued.message, clocks, &delivery.subscription_ids, &error);
        if (!delivery.message) return where(error);
        delivery.qos = static_cast<mqtt::QoS>(queued.message.qos);
        delivery.retain = queued.message.retain;
        delivery.store_seq = queued.seq;
        session.outbox.push_refilled(std::move(delivery));
    }
    session.awaiting_pubrel = std::move(state.qos2_received);

    if (context_.persistence) context_.persistence->add_session(id, session.client_id());
    sessions_.add(std::move(owned));
    counters_.add(counters_.sessions_current);
    return {};
}

}  // namespace akasa::broker
