// State shared by every worker thread. Everything here is either immutable after start
// (the startup config, the workers list), changed only through the workers' inboxes (the
// config generations a SIGHUP adds, config_generation.h) or internally synchronised
// (passwords, index, retained store, registry). Per-connection and per-session state is
// never here: workers own it.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "auth/failed_login_limiter.h"
#include "auth/hashing_pool.h"
#include "auth/password_store.h"
#include "broker/config_generation.h"
#include "broker/flow/congested_sessions.h"
#include "broker/hooks/hook_services.h"
#include "broker/mqtt5/mqtt5_online_sessions.h"
#include "broker/persist/persist_store.h"
#include "broker/routing/message.h"
#include "broker/routing/retained_cost.h"
#include "broker/routing/retained_store.h"
#include "broker/routing/subscription_index.h"
#include "broker/session/queue_budget.h"
#include "broker/session/session_registry.h"
#include "config/config.h"

namespace akasa::broker {

class Worker;

struct BrokerContext {
    BrokerContext(config::Config c, std::shared_ptr<auth::PasswordStore> p)
        : configs(std::move(c)), passwords(std::move(p)) {}

    // The config read at start and the generations SIGHUP reloads added (config_generation.h
    // says which one each reader uses). Workers and connections read Worker::config() and
    // ClientConnection::config(), never this.
    ConfigGenerations configs;
    // The config read at start, for what only the start reads (listeners, persistence,
    // worker_threads, plugins, the login checks): a reload never changes those.
    const config::Config& startup_config() const { return configs.first().config; }
    // The password file, swapped whole on SIGHUP (auth/password_store.h); null: auth disabled.
    const std::shared_ptr<auth::PasswordStore> passwords;
    SubscriptionIndex subscriptions;
    RetainedStore<Message, RetainedCost> retained;  // bytes(): max_retained_bytes' count
    SessionRegistry registry;
    OnlineSessions online;        // sessions with a connection (shared subscriptions pick these)
    CongestedSessions congested;  // subscribers pausing their publishers now
    // What every session's queue holds in memory (max_in_mem_pending_bytes_total).
    QueueBudget queue_budget;
    // The persistent store (persist_store.h); null when persistence is off. Declared before
    // the workers so that it outlives them.
    std::unique_ptr<Persistence> persistence;
    // Built by Broker::start before the workers, destroyed after they stopped (declared
    // before `workers`, so also destroyed after them when the context goes).
    std::unique_ptr<HookServices> hooks;
    std::vector<std::unique_ptr<Worker>> workers;  // filled before the threads start
    std::atomic<std::uint32_t> connections{0};     // open connections, all workers
    // Threads checking PBKDF2 passwords off the event loops (null: no password file). Its
    // jobs post their answers to workers: declared after `workers`, so destroyed (stopped)
    // before them; Broker::stop stops it as soon as the workers have stopped.
    std::unique_ptr<auth::HashingPool> hashing;
    // Failed logins per client address (null: auth.max_failed_logins is 0).
    std::unique_ptr<auth::FailedLoginLimiter> failed_logins;
};

}  // namespace akasa::broker
