#include "broker/persist/persist_recovery.h"

#include <array>
#include <chrono>
#include <filesystem>
#include <functional>
#include <stdexcept>

#include <fmt/format.h>
#include <malloc.h>
#include <spdlog/spdlog.h>

#include "broker/persist/persist_codec.h"
#include "broker/topic_limits.h"
#include "broker/worker/worker.h"
#include "store/store.h"

namespace akasa::broker {
namespace {

// The store calls on_retained() and on_session() on two threads at once (store.h): each
// side has its own members here (the retained store and the session structures it fills are
// internally synchronised and disjoint).
class EngineLoader final : public store::RecoveryVisitor {
  public:
    EngineLoader(BrokerContext& context, const persist::ClockPair& clocks)
        : context_(context), clocks_(clocks) {}

    void on_retained(store::MessageRecord&& record) override {
        if (!retained_error_.empty()) return;
        if (record.expires_at && *record.expires_at <= clocks_.wall) {
            retained_cleanup_.erase_retained(record.topic);  // expired while the broker was down
            ++expired_retained_;
            return;
        }
        // Stored under larger topic limits: this configuration could never have accepted it.
        if (const auto breach = context_.configs.first().topic_limits.check_name(record.topic)) {
            retained_cleanup_.erase_retained(record.topic);
            retained_dropped_.add("retained message", record.topic, *breach);
            return;
        }
        std::string error;
        auto message = persist::from_record(record, clocks_, nullptr, &error);
        if (!message) {
            retained_error_ = "retained message: " + error;
            return;
        }
        context_.retained.set(record.topic, std::move(message));
    }

    void on_session(store::SessionState&& state) override {
        if (!error_.empty()) return;
        // Placement: a stable hash of the client id, claimed in the registry so the client's
        // next CONNECT is handed to this worker (sessions never move afterwards).
        const auto owner = static_cast<std::uint32_t>(
            std::hash<std::string>{}(state.session.client_id) % context_.workers.size());
        context_.registry.claim(state.session.client_id, owner);
        std::string error = context_.workers[owner]->restore_session(std::move(state), clocks_,
                                                                     cleanup_, max_seq_, dropped_);
        if (!error.empty()) error_ = std::move(error);
    }

    const std::string& error() const { return error_.empty() ? retained_error_ : error_; }
    // Records recovery dropped: expired or over the queue limit.
    std::array<store::StoreBatch*, 2> cleanups() { return {&retained_cleanup_, &cleanup_}; }
    std::uint64_t max_seq() const { return max_seq_; }
    std::uint64_t expired_retained() const { return expired_retained_; }
    // Records whose topics break the topic limits, both sides; call after recovery.
    DroppedTopics dropped() const {
        DroppedTopics all = retained_dropped_;
        all.merge(dropped_);
        return all;
    }
    std::uint64_t dropped_retained() const { return retained_dropped_.count(); }

  private:
    BrokerContext& context_;
    const persist::ClockPair& clocks_;
    // on_session()'s side.
    store::StoreBatch cleanup_;  // records recovery dropped: expired or over the queue limit
    std::string error_;
    DroppedTopics dropped_;
    // on_retained()'s side.
    store::StoreBatch retained_cleanup_;
    std::string retained_error_;
    DroppedTopics retained_dropped_;
    std::uint64_t max_seq_ = 0;
    std::uint64_t expired_retained_ = 0;
};

// For the log: the directory in use, whatever the working directory made of a relative one.
std::string absolute_path(const std::string& path) {
    std::error_code ec;
    const auto absolute = std::filesystem::absolute(path, ec);
    return ec ? path : absolute.lexically_normal().string();
}

void release_free_heap() {
#if defined(__GLIBC__) && !defined(__SANITIZE_ADDRESS__)
    ::malloc_trim(0);
#endif
}

}  // namespace

void recover_persistent_state(BrokerContext& context) {
    Persistence& persistence = *context.persistence;
    const auto started = std::chrono::steady_clock::now();
    const auto clocks = persist::ClockPair::now(Clock::now());
    EngineLoader loader(context, clocks);
    store::RecoveryStats stats;
    if (store::Status s = persistence.store().recover(loader, &stats); !s.ok()) {
        throw std::runtime_error("persistence: cannot recover the store: " + s.to_string());
    }
    if (!loader.error().empty()) {
        throw std::runtime_error("persistence: cannot recover the store at '" + persistence.dir() +
                                 "': " + loader.error());
    }
    persistence.continue_after(loader.max_seq());
    for (store::StoreBatch* cleanup : loader.cleanups()) {
        if (cleanup->empty()) continue;
        if (store::Status s = persistence.store().write(*cleanup); !s.ok()) {
            throw std::runtime_error("persistence: " + s.to_string());
        }
    }
    // Recovery decoded every record into temporaries the allocator keeps cached; hand the
    // free pages back so the resident size is what the engine holds.
    release_free_heap();
    const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - started);
    spdlog::info(
        "persistence: recovered {} retained messages ({} expired), {} sessions, {} "
        "subscriptions, {} queued and {} inflight messages, {} QoS 2 receipts from {} in {} ms",
        stats.retained - loader.expired_retained() - loader.dropped_retained(),
        loader.expired_retained(), stats.sessions, stats.subscriptions, stats.queued,
        stats.inflight, stats.qos2_received, absolute_path(persistence.dir()), elapsed.count());
    if (const DroppedTopics dropped = loader.dropped(); dropped.count() != 0) {
        const auto& config = context.startup_config();
        spdlog::warn(
            "persistence: dropped from the store {} whose topics break max_topic_levels ({}) or "
            "max_topic_length ({}) (stored with larger limits; raise them to keep such "
            "records): {}",
            dropped.count() == 1 ? "one record" : fmt::format("{} records", dropped.count()),
            config.max_topic_levels, config.max_topic_length, dropped.summary());
    }
    if (stats.orphans != 0)
        spdlog::warn("persistence: skipped {} records without a session", stats.orphans);
}

}  // namespace akasa::broker
