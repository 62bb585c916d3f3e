// A worker thread: one epoll loop that owns its connections and the sessions assigned to
// it, outright. Other threads talk to a worker only through its inbox (deliveries and
// tasks), drained in batches after one eventfd wakeup.
//
// Files: worker.cpp (thread, loop, accept, timers, inbox, flushing), worker_sessions.cpp
// (session attach / takeover on the owner, session end), worker_routing.cpp (the publish
// path: match, fan out, encode once), worker_persistence.cpp (store batches, recovery),
// worker_shared_redispatch.cpp (spec 4.8.2 when a shared-subscription member leaves).
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include <absl/container/flat_hash_set.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "broker/broker_context.h"
#include "broker/connection/client_connection.h"
#include "broker/connection/connect_request.h"
#include "broker/connection/http_client.h"
#include "broker/flow/publisher_throttle.h"
#include "broker/hooks/hook_dispatch.h"
#include "broker/limits/limit_log.h"
#include "broker/limits/memory_limit.h"
#include "broker/limits/message_path_limits.h"
#include "broker/output/publish_encoder.h"
#include "broker/persist/persist_writer.h"
#include "broker/routing/message.h"
#include "broker/session/outbox.h"
#include "broker/session/session.h"
#include "broker/session/session_table.h"
#include "broker/worker/loop_load.h"
#include "broker/worker/worker_counters.h"
#include "net/closing_sockets.h"
#include "net/event_loop.h"
#include "net/http/http_service.h"
#include "net/layered_transport.h"
#include "net/listener.h"
#include "store/records.h"

namespace akasa::store {
struct SessionState;
class StoreBatch;
}  // namespace akasa::store

namespace akasa::broker {

namespace persist {
struct ClockPair;
}

// A delivery for a session owned by another worker.
struct RemoteDelivery {
    SessionId session = 0;
    Delivery delivery;
};

class Worker {
  public:
    Worker(BrokerContext& context, std::uint32_t index);
    ~Worker();
    Worker(const Worker&) = delete;
    Worker& operator=(const Worker&) = delete;

    // Before start(): accept on this listening socket (shared: also polled by others);
    // `stack` says which layers (PROXY, TLS, WebSocket) each connection gets.
    void add_listener(int fd, bool shared, net::TransportStack stack = {});
    // Before start(): serve the `http` listener on this socket with `service` (which must
    // outlive the worker's thread).
    void add_http_listener(int fd, bool shared, const net::http::HttpService& service);
    // Before start(): run on this worker's thread at the end of every 1-second tick (the
    // $SYS publisher on worker 0, src/broker/sys/).
    void set_tick_task(std::function<void(Worker&)> task) { tick_task_ = std::move(task); }
    void start();
    void join();

    // --- Thread-safe ---
    void post(std::function<void(Worker&)> task);
    void post_deliveries(std::vector<RemoteDelivery>& batch);  // moves the batch out
    // Server shutdown, first step, run on this worker's thread (Broker::stop posts it to
    // every worker and waits for all): stops accepting and publishes the wills of the
    // clients about to be disconnected, so the other workers still take their deliveries.
    void publish_wills_for_shutdown();
    // Orderly stop: v5 clients get DISCONNECT 0x8B, output is flushed, the thread ends.
    void request_stop();
    const WorkerCounters& counters() const { return counters_; }
    std::uint32_t index() const { return index_; }

    // The worker owning a session id (ids carry their worker's index).
    static std::uint32_t owner_of(SessionId id) { return static_cast<std::uint32_t>(id >> 48) - 1; }

    // --- Owner thread only (used by ClientConnection) ---
    BrokerContext& context() { return context_; }
    // This worker's current config generation (config_generation.h): what server-wide
    // decisions here use; a connection uses the one it was accepted under instead.
    const ConfigGeneration& generation() const { return *generation_; }
    const config::Config& config() const { return generation_->config; }
    const TopicLimits& topic_limits() const { return generation_->topic_limits; }
    // SIGHUP: Broker::reload posts the new generation; from the next event on this worker
    // decides with it, and connections accepted from then on get it.
    void use_config(const ConfigGeneration& generation) { generation_ = &generation; }
    net::EventLoop& loop() { return loop_; }
    net::ClosingSockets& closing_sockets() { return closing_; }
    WorkerCounters& counters() { return counters_; }
    Clock::time_point now() const { return now_; }
    std::span<std::uint8_t> read_scratch() { return read_scratch_; }
    // The encode-once cache of this worker's outgoing PUBLISHes (publish_encoder.h).
    PublishEncoder& publish_encoder() { return publish_encoder_; }
    // Decode targets shared by this worker's connections (one packet is handled completely
    // before the next is decoded), so an idle connection does not carry ~1.2 KB of them.
    mqtt::Publish& publish_scratch() { return publish_scratch_; }
    mqtt::Packet& packet_scratch() { return packet_scratch_; }
    // Output to flush at the end of the iteration; `delivery`: it holds a message for the
    // client, which is written before the answers (PUBACKs...) of other connections.
    void mark_dirty(ClientConnection& connection, bool delivery = false);
    // A connection resumed from a throttle pause holds unhandled input: handle it in this
    // loop iteration (handle_resumed_input).
    void schedule_input(ClientConnection& connection);

    // The routing budget of one read pass (ClientConnection::handle_input): a publisher's
    // messages stop being handled once what they fanned out to reaches kRoutingBudget bytes;
    // the rest waits in its input for the next loop iteration, after this one's output was
    // written. Without it a publisher that fell behind is read in 64 KB passes that fan out
    // to tens of MB of output at once (1 -> 500: 32 MB), far past the caches, in output
    // buffers that outgrow what a connection keeps and are faulted in anew each time: each
    // delivery costs more the further behind the worker is, so it never catches up
    // (docs/benchmarks.md, "Overload"). 8 MB and not less: a pass per iteration caps what an
    // iteration routes, and 2 MB already left a 1 -> 500 fan-out behind at 75 % of capacity.
    static constexpr std::size_t kRoutingBudget = 8 << 20;
    void begin_routing_pass() { pass_routed_bytes_ = 0; }
    bool routing_budget_spent() const { return pass_routed_bytes_ >= kRoutingBudget; }
    // The rest of the pass being handled drops its QoS 0 PUBLISHes (ConnectionFlow::
    // fell_behind); the routing budget does not stop it.
    bool shedding() const { return shedding_; }
    void set_shedding(bool shedding) { shedding_ = shedding; }
    // A QoS 0 PUBLISH of `connection` dropped because the worker is behind on it: counted,
    // and logged at most every 10 s per worker.
    void shed_publish(const ClientConnection& connection);
    // The connection stopped at the budget: handle the rest of its input in the next loop
    // iteration (handle_resumed_input), after the flush.
    void continue_input_later(ClientConnection& connection);
    // The connection has closed: destroy it after the current loop iteration.
    void retire(ClientConnection& connection);
    void retire_http(HttpClient& client);
    // Hands an accepted CONNECT to the worker owning the client id (maybe this one).
    void attach(ClientConnection& connection, ConnectRequest&& request);
    // A connection left its session (closed); decides expiry and the will.
    // `taken_over`: a new connection for the same client id is being attached here, so the
    // client id stays registered to this worker even if the session ends.
    void session_disconnected(Session& session, MessagePtr will, std::uint32_t will_delay,
                              bool publish_will, bool taken_over);
    // Removes the session's subscriptions and the session; publishes a pending delayed will.
    void end_session(Session& session, bool release_registry = true);
    // A connected session with a shared subscription is listed in context().online, where
    // routing looks for online members of a group (spec 4.8.2); sessions without one are
    // never looked up there, so they cost it nothing.
    void list_online_if_shared(Session& session);
    // An offline session's shared-subscription deliveries (queued, and QoS 1 unacknowledged)
    // go to other online members of their groups (mqtt5/shared_redispatch.{h,cpp}).
    void redispatch_shared(Session& session);
    // Hands a connection with a pending migration to its target worker (end of on_io).
    void migrate(ClientConnection& connection);

    // The publish path: deliver to every matching subscription (worker_routing.cpp).
    void route(const MessagePtr& message);
    // Retained messages matching a new subscription [MQTT-3.3.1-9].
    void send_retained(Session& session, std::string_view filter, const StoredSubscription& sub);
    // Publishes a will (or any server-originated message), storing it when retained.
    void publish_will(const MessagePtr& will);
    // The one way a retained message changes: stores `message` as its topic's retained
    // message, or clears the topic when its payload is empty [MQTT-3.3.1-6/7], in the retained
    // store and in the persistent store's batch. A new message must fit max_retained_messages
    // and max_retained_bytes: false when they refuse it (counted and logged, naming its
    // publisher; nothing changes). Replacing a topic's message only fails when it grows.
    bool store_retained(const MessagePtr& message);
    std::string assign_client_id();
    // True when this worker stopped reading recently (congestion): silence then is ours.
    bool keep_alive_suspended() const { return congested_recently_; }
    // True while the worker drains output before exiting: connections stop reading.
    bool shutting_down() const { return shutting_down_; }
    // Asynchronous hook answers for this worker's connections (hook_dispatch.h).
    HookDispatch& hook_dispatch() { return hook_dispatch_; }
    PublisherThrottle& throttle() { return throttle_; }
    // Wakes every other worker's loop (publishers there may wait for this one).
    void wake_others();
    // `subscriber` drained (or closed: `all`): read the publishers paused for it again, a
    // batch at a time; null: the batch paused longest, whatever they wait for.
    void resume_publishers(const ClientConnection* subscriber, bool all = false);
    // A delivery from another worker found `subscriber` congested: pause the publisher
    // there (once per pair) until `subscriber` drains (publisher_throttle.h).
    void pause_remote_publisher(SessionId publisher, ClientConnection& subscriber);
    // Which limit made a session's queue refuse a message.
    enum class QueueDrop : std::uint8_t {
        Full,        // its message count limit (max_in_mem_pending_messages, or
                     // max_in_db_pending_messages for a stored session)
        Bytes,       // max_in_mem_pending_bytes
        TotalBytes,  // max_in_mem_pending_bytes_total (every session's queue together)
    };
    // A message did not fit in the session's queue: count it, warn once per overflow.
    void count_queue_drop(Session& session, QueueDrop why);
    // Where a delivery that cannot be sent now went (worker_queue.cpp).
    enum class Queued : std::uint8_t { InMemory, InStore, Dropped };
    // Queues a QoS 1/2 delivery for `session` behind what it has queued (`limit`: the
    // in-memory count limit the caller applies). A stored session whose delivery has a
    // queued record keeps at most max_in_mem_pending_messages in memory, and its record alone
    // past that, past max_in_mem_pending_bytes or max_in_mem_pending_bytes_total (the stored-
    // only tail, outbox.h), up to max_in_db_pending_messages; any other delivery over a
    // limit is dropped (counted, its stored copy removed).
    Queued queue_delivery(Session& session, Delivery&& delivery, std::size_t limit);
    // The connected session's head drained to half of max_in_mem_pending_messages: reads the
    // next records of its stored-only tail back into it, in seq order (worker_queue.cpp).
    // May commit the open store batches first (which may close connections on failure).
    void refill_queue(Session& session);
    // config.memory_limits as the message path checks them (message_path_limits.h).
    const MessagePathLimits& limits() const { return generation_->limits; }
    // A memory limit was hit: counted (akasa_limit_hits_total{limit=KEY}) and logged as a
    // warning ending with the key, at most one line per limit every LimitLog::kInterval on
    // this worker (the next line says how many were held back).
    template <class... Args>
    void limit_hit(MemoryLimit limit, fmt::format_string<Args...> what, Args&&... args) {
        counters_.add(counters_.limit_hits[static_cast<std::size_t>(limit)]);
        if (auto line = limit_log_.take(limit, now_)) {
            spdlog::warn("{}{}", fmt::format(what, std::forward<Args>(args)...), line->suffix());
        }
    }
    // How many messages a session may queue: a stored session's queue is in the store (its
    // head in memory, the rest only there: queue_delivery).
    std::size_t queue_limit(const Session& session) const {
        return session.stored ? config().max_in_db_pending_messages
                              : config().max_in_mem_pending_messages;
    }

    // --- Persistence (worker_persistence.cpp); a null writer when it is off ---
    PersistWriter& persist() { return persist_; }
    // Writes every open store batch now: before output that depends on them leaves outside
    // the loop's rhythm (ClientConnection::flush) and before deliveries go to other workers.
    // On failure the connections holding such output are closed unsent, and false is
    // returned. On success the connections held for it are flushed with the next
    // flush_dirty().
    bool commit_persistence();
    // Before start(): a session recovered from the store, placed on this worker. Records
    // recovery drops (expired, over max_in_db_pending_messages, topics over the topic
    // limits) go into `cleanup`; those of the topic limits are also reported in `dropped`.
    // Returns an error text when a record does not decode.
    std::string restore_session(store::SessionState&& state, const persist::ClockPair& clocks,
                                store::StoreBatch& cleanup, std::uint64_t& max_seq,
                                DroppedTopics& dropped);

    // --- Test seam: only tests/unit/broker/harness/engine_harness.cpp calls these. They
    // drive a worker that was never start()ed from the test's thread, in place of run(). ---
    // A connection over `transport`, as on_accept makes one for an accepted socket.
    void serve_for_test(std::unique_ptr<net::Transport> transport);
    // One iteration of run()'s loop without waiting, the clock reading `now` throughout
    // (ticks when due); returns the events its poll dispatched.
    int run_once_for_test(Clock::time_point now);
    // The input buffer capacity of the connection on socket `fd` (0 when there is none).
    std::size_t input_buffer_capacity_for_test(int fd) const;

  private:
    void run();
    // A new connection on `transport`, counted and owned by this worker (on_accept).
    void serve(std::unique_ptr<net::Transport> transport);
    // The end of a loop iteration after the poll (`handled`: the events it dispatched):
    // timers when due, resumed input, store batches, deliveries to other workers, output.
    void finish_iteration(int handled, bool congested);
    void on_accept(int fd, const net::Endpoint& peer, const net::TransportStack& stack);
    void on_http_accept(int fd, const net::Endpoint& peer, const net::http::HttpService& service);
    void drain_inbox();
    // End of a loop iteration: every few busy iterations the previous store generation is
    // written (persist_writer.h); everything when idle or when deliveries go to others.
    void advance_persistence(bool idle);
    // Connections held for the store whose output may now leave go back to dirty_.
    void release_held();
    // A store write failed: the connections whose output depended on it are closed.
    void persistence_failed(const store::Status& status);
    void flush_dirty();
    void flush_outgoing();
    void tick();
    void shutdown_connections();
    void adopt(std::unique_ptr<ClientConnection> connection, ConnectRequest&& request);
    void finish_connect(ClientConnection& connection, ConnectRequest&& request);
    void deliver(Session& session, Delivery&& delivery);
    void deliver_batch(std::vector<RemoteDelivery>& batch);
    // worker_queue.cpp. The queued copy of a delivery for a session on another worker, stored
    // before it is posted there; noted in unposted_low_ first.
    void store_for_remote(SessionId target, Delivery& delivery);
    // Every queued record with a smaller seq that belongs to a session of this worker has
    // reached it (arrived in its inbox and was drained, or was routed here): what a refill
    // may read without taking a record whose delivery is still on its way (it would come
    // twice). Takes the inbox mutex.
    std::uint64_t readable_below();
    // The smallest seq any worker may still post: the seq counter, lowered by every worker's
    // unposted_low_.
    std::uint64_t posting_horizon() const;
    // Connected sessions whose tail waits for readable_below() to pass its records: pumped
    // again at the end of the loop iteration.
    void retry_refills();
    // The global bound was hit: counted, logged once per episode.
    void total_queue_bytes_hit(Session& session);
    void tell_remote_publisher(SessionId publisher, bool pause);
    // Publishers paused for subscribers on other workers that left context().congested
    // resume, a batch per loop iteration (publisher_throttle.h).
    void resume_for_remote_drains();
    // Connections resumed from a throttle pause with unhandled input, handled once per loop
    // iteration (not inside the flush that resumed them).
    void handle_resumed_input();
    std::unique_ptr<ClientConnection> release(ClientConnection& connection);

    BrokerContext& context_;
    const std::uint32_t index_;
    net::EventLoop loop_;
    // Closed WebSocket / TLS connections reading the client's goodbye (after loop_).
    net::ClosingSockets closing_{loop_};
    std::thread thread_;
    std::atomic<bool> stop_requested_{false};
    WorkerCounters counters_;
    Clock::time_point now_;
    LoopLoad load_{now_};  // busy time and lag, from the clock reads of run()
    Clock::time_point next_tick_;
    std::function<void(Worker&)> tick_task_;  // see set_tick_task()

    std::vector<std::unique_ptr<net::Listener>> listeners_;
    // Owned connections; found by raw pointer (Abseil's pointer hashing sees through
    // unique_ptr): one 8-byte slot each rather than a node allocation.
    absl::flat_hash_set<std::unique_ptr<ClientConnection>> connections_;
    std::vector<ClientConnection*> dirty_;
    std::vector<ClientConnection*> resumed_input_;  // see schedule_input()
    std::vector<ClientConnection*> resuming_input_;
    std::vector<ClientConnection*> deferred_input_;  // see continue_input_later()
    std::size_t pass_routed_bytes_ = 0;              // see begin_routing_pass()
    bool shedding_ = false;                          // see shedding()
    Clock::time_point shed_logged_at_{};             // see shed_publish()
    std::uint64_t shed_since_log_ = 0;
    std::vector<ClientConnection*> flushing_;
    PublisherThrottle throttle_;
    std::vector<std::unique_ptr<ClientConnection>> graveyard_;
    // `http` listener connections: not MQTT clients, not counted in connections/metrics.
    std::unordered_map<HttpClient*, std::unique_ptr<HttpClient>> http_clients_;
    std::vector<std::unique_ptr<HttpClient>> http_graveyard_;

    PersistWriter persist_{context_.persistence.get()};
    bool persist_failing_ = false;  // commit_persistence() is closing connections
    int busy_iterations_ = 0;  // since the last store generation began (worker_persistence.cpp)
    // Connections whose output waits for the open batch to be written (in_held_list).
    std::vector<ClientConnection*> held_;
    // The smallest seq this worker allocated for another worker's session and has not
    // posted there yet (UINT64_MAX: none); read by the other workers (posting_horizon).
    std::atomic<std::uint64_t> unposted_low_{UINT64_MAX};
    // posting_horizon() when the inbox was last drained (guarded by inbox_mutex_ as written).
    std::uint64_t drained_below_ = 0;
    std::vector<SessionId> refill_waiting_;  // see retry_refills()
    std::vector<store::QueuedMessage> refill_scratch_;
    bool total_bytes_reported_ = false;  // max_in_mem_pending_bytes_total: one log per episode

    std::uint64_t next_session_serial_ = 1;
    SessionTable sessions_;

    // See generation(). Created on the main thread before any reload: the latest is the first.
    const ConfigGeneration* generation_ = &context_.configs.latest();
    LimitLog limit_log_;  // see limit_hit()

    // Inbox: filled by other threads under the mutex, swapped out whole by this one.
    // Deliveries posted to this worker and not yet drained: other workers stop reading
    // from their clients while it is above kInboxHighWater (see run()).
    static constexpr std::size_t kInboxHighWater = 65536;
    std::atomic<std::size_t> inbox_backlog_{0};
    bool congested_recently_ = false;
    bool shutting_down_ = false;  // keep alive is not enforced across a congestion
    bool downstream_congested() const;

    std::mutex inbox_mutex_;
    std::vector<RemoteDelivery> inbox_deliveries_;           // guarded by inbox_mutex_
    std::vector<std::function<void(Worker&)>> inbox_tasks_;  // guarded by inbox_mutex_
    std::vector<RemoteDelivery> drained_deliveries_;
    std::vector<std::function<void(Worker&)>> drained_tasks_;

    // Deliveries for other workers, collected during one loop iteration.
    std::vector<std::vector<RemoteDelivery>> outgoing_;

    std::vector<std::uint8_t> read_scratch_;
    mqtt::Publish publish_scratch_;
    mqtt::Packet packet_scratch_;

    // worker_routing.cpp: matches of the publish being routed, reused between publishes.
    struct Match {
        SessionId session;
        std::uint8_t qos;
        bool retain_as_published;
        std::uint32_t identifier;
        std::uint32_t shared_group;  // mqtt5::shared_group_tag of its group; 0: not shared
    };
    std::vector<Match> matches_;
    PublishEncoder publish_encoder_;
    std::minstd_rand random_;
    // Declared after the inbox: destroyed (and its poster detached) before it.
    HookDispatch hook_dispatch_{*this};
};

}  // namespace akasa::broker
