#include "broker/worker/worker.h"

#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cinttypes>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "auth/crypto.h"
#include "broker/persist/persist_writer.h"
#include "net/transport.h"

namespace akasa::broker {
namespace {

constexpr auto kTickInterval = std::chrono::seconds(1);
constexpr std::size_t kReadScratchSize = 64 * 1024;
// Open `http` listener connections per worker: scrapes and health checks are few, so more
// than this is a misbehaving client.
constexpr std::size_t kMaxHttpClients = 256;
// How long a stopping worker waits for its clients to take their pending output.
constexpr auto kShutdownFlushTime = std::chrono::seconds(2);
// Ready sockets handled per loop iteration before the output is flushed (the others stay
// ready for the next one): deliveries leave while other clients' input waits, so the
// clients work in parallel with us instead of after a pass over every socket. Measured
// in docs/benchmarks.md ("Events per loop iteration"): b's p99 0.3-0.4x, same throughput.
constexpr int kEventsPerIteration = 64;

}  // namespace

Worker::Worker(BrokerContext& context, std::uint32_t index)
    : context_(context),
      index_(index),
      now_(Clock::now()),
      next_tick_(now_ + kTickInterval),
      read_scratch_(kReadScratchSize),
      random_(std::random_device{}() ^ index) {
    // Deadlines set by handlers (will delay, keep alive, expiry) count from when the event
    // arrived, not from before the wait that preceded it. That is also when the loop stopped
    // waiting (akasa_worker_busy_seconds_total).
    loop_.set_on_ready([this] {
        now_ = Clock::now();
        load_.woke(now_);
    });
}

Worker::~Worker() {
    join();
    // Connections first (they point at sessions), then sessions.
    graveyard_.clear();
    connections_.clear();
    http_graveyard_.clear();
    http_clients_.clear();
}

void Worker::add_listener(int fd, bool shared, net::TransportStack stack) {
    listeners_.push_back(std::make_unique<net::Listener>(
        loop_, fd, shared, [this, stack](int client_fd, const net::Endpoint& peer) {
            on_accept(client_fd, peer, stack);
        }));
}

void Worker::add_http_listener(int fd, bool shared, const net::http::HttpService& service) {
    listeners_.push_back(std::make_unique<net::Listener>(
        loop_, fd, shared, [this, &service](int client_fd, const net::Endpoint& peer) {
            on_http_accept(client_fd, peer, service);
        }));
}

void Worker::start() {
    outgoing_.resize(context_.workers.size());
    thread_ = std::thread([this] { run(); });
}

void Worker::join() {
    if (thread_.joinable()) thread_.join();
}

void Worker::post(std::function<void(Worker&)> task) {
    {
        std::lock_guard lock(inbox_mutex_);
        inbox_tasks_.push_back(std::move(task));
    }
    loop_.wake();
}

void Worker::post_deliveries(std::vector<RemoteDelivery>& batch) {
    inbox_backlog_.fetch_add(batch.size(), std::memory_order_relaxed);
    {
        std::lock_guard lock(inbox_mutex_);
        if (inbox_deliveries_.empty()) {
            inbox_deliveries_.swap(batch);
        } else {
            std::move(batch.begin(), batch.end(), std::back_inserter(inbox_deliveries_));
        }
    }
    batch.clear();
    loop_.wake();
}

void Worker::request_stop() {
    stop_requested_.store(true, std::memory_order_release);
    loop_.wake();
}

void Worker::run() {
    context_.hooks->chain.on_worker_start(index_);  // plugins' thread_init
    load_.woke(Clock::now());
    while (!stop_requested_.load(std::memory_order_acquire)) {
        now_ = Clock::now();
        load_.before_wait(now_, counters_);  // the previous iteration's work ends here
        const bool congested = downstream_congested();
        int handled = 1;  // events the poll dispatched
        if (congested) {
            // Another worker has more deliveries waiting than it can take: stop reading
            // from our clients (their publishes are what fills its inbox) for a moment,
            // but keep draining our own inbox so two congested workers cannot wait on each
            // other. The kernel's socket buffers then push back on the publishers.
            congested_recently_ = true;
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
            load_.woke(Clock::now());  // a pause, not work
            drain_inbox();
        } else {
            auto wait = std::chrono::ceil<std::chrono::milliseconds>(next_tick_ - now_).count();
            // Open store batches: a poll finding nothing to do writes them
            // (worker_persistence.cpp).
            const bool store_open = !persist_.empty() || !held_.empty();
            const bool wait_allowed = dirty_.empty() && !store_open && resumed_input_.empty();
            // Publishers waiting for subscribers on other workers: those wake us when one
            // drains (ClientConnection::list_congested); the cap bounds a wake-up lost to a
            // race.
            if (throttle_.any_waiting_for_remote()) wait = std::min<long long>(wait, 10);
            handled = loop_.poll(wait_allowed ? static_cast<int>(std::max<long long>(wait, 0)) : 0,
                                 kEventsPerIteration);
            if (loop_.take_wakeup()) drain_inbox();
        }
        now_ = Clock::now();
        // A poll that dispatched nothing waited until now (with events, on_ready noted when).
        if (!congested && handled == 0) load_.woke(now_);
        finish_iteration(handled, congested);
    }
    shutdown_connections();
    hook_dispatch_.detach();  // late asynchronous hook answers are dropped from now on
    context_.hooks->chain.on_worker_stop(index_);
}

bool Worker::downstream_congested() const {
    for (const auto& worker : context_.workers) {
        if (worker.get() != this &&
            worker->inbox_backlog_.load(std::memory_order_relaxed) > kInboxHighWater) {
            return true;
        }
    }
    return false;
}

void Worker::serve(std::unique_ptr<net::Transport> transport) {
    context_.connections.fetch_add(1, std::memory_order_relaxed);
    counters_.add(counters_.connections_accepted);
    counters_.add(counters_.connections_current);
    try {
        connections_.insert(std::make_unique<ClientConnection>(*this, std::move(transport)));
    } catch (...) {
        context_.connections.fetch_sub(1, std::memory_order_relaxed);
        counters_.sub(counters_.connections_current);
        throw;
    }
}

void Worker::finish_iteration(int handled, bool congested) {
    if (now_ >= next_tick_) {
        LoopLoad::tick_ran(next_tick_, now_, counters_);  // akasa_worker_loop_lag_seconds
        tick();
        next_tick_ = now_ + kTickInterval;
        congested_recently_ = congested;
    }
    if (throttle_.any_waiting_for_remote()) resume_for_remote_drains();
    handle_resumed_input();
    retry_refills();
    advance_persistence(handled == 0);  // before held acknowledgements and deliveries leave
    flush_outgoing();
    flush_dirty();
    // Input stopped at the routing budget goes on now that its output was written.
    if (!deferred_input_.empty()) {
        resumed_input_.insert(resumed_input_.end(), deferred_input_.begin(), deferred_input_.end());
        deferred_input_.clear();
    }
    graveyard_.clear();
    http_graveyard_.clear();
}

void Worker::on_accept(int fd, const net::Endpoint& peer, const net::TransportStack& stack) {
    // Not one of the proxies of a PROXY listener: closed before its header is read.
    if (stack.allowed_sources && !stack.allowed_sources->admits(peer)) {
        counters_.add(counters_.connections_refused);
        ::close(fd);
        return;
    }
    const auto limit = config().max_connections;
    if (limit != 0 && context_.connections.load(std::memory_order_relaxed) >= limit) {
        spdlog::warn("refusing connection from {}: max_connections ({}) reached", peer.to_string(),
                     limit);
        counters_.add(counters_.connections_refused);
        ::close(fd);
        return;
    }
    try {
        if (stack.websocket && stack.websocket_limits != generation_->websocket_limits) {
            // max_packet_size_server changed since the listener was set up (SIGHUP).
            net::TransportStack reloaded = stack;
            reloaded.websocket_limits = generation_->websocket_limits;
            serve(reloaded.make(fd, peer.to_string()));
        } else {
            serve(stack.make(fd, peer.to_string()));
        }
    } catch (const std::exception& e) {
        // epoll registration can fail under memory pressure: drop this client only.
        spdlog::warn("cannot serve connection from {}: {}", peer.to_string(), e.what());
    }
}

void Worker::on_http_accept(int fd, const net::Endpoint& peer,
                            const net::http::HttpService& service) {
    auto transport = std::make_unique<net::TcpTransport>(fd, peer.to_string());
    if (http_clients_.size() >= kMaxHttpClients) {
        spdlog::warn("refusing http connection from {}: {} open on this worker", peer.to_string(),
                     kMaxHttpClients);
        return;  // the transport closes the socket
    }
    try {
        auto client = std::make_unique<HttpClient>(*this, std::move(transport), service,
                                                   Clock::now() + config().connect_timeout);
        auto* raw = client.get();
        http_clients_.emplace(raw, std::move(client));
    } catch (const std::exception& e) {
        spdlog::warn("cannot serve http connection from {}: {}", peer.to_string(), e.what());
    }
}

void Worker::retire_http(HttpClient& client) {
    auto it = http_clients_.find(&client);
    if (it == http_clients_.end()) return;
    loop_.remove(client.fd());
    http_graveyard_.push_back(std::move(it->second));
    http_clients_.erase(it);
}

void Worker::mark_dirty(ClientConnection& connection, bool delivery) {
    auto& lists = connection.worker_lists();
    lists.delivery = lists.delivery || delivery;
    if (lists.dirty) return;
    lists.dirty = true;
    dirty_.push_back(&connection);
}

void Worker::schedule_input(ClientConnection& connection) {
    if (connection.worker_lists().input) return;
    connection.worker_lists().input = true;
    resumed_input_.push_back(&connection);
}

void Worker::shed_publish(const ClientConnection& connection) {
    counters_.add(counters_.dropped_worker_behind);
    ++shed_since_log_;
    if (shed_logged_at_ != Clock::time_point{} && now_ - shed_logged_at_ < std::chrono::seconds(10))
        return;
    spdlog::warn(
        "worker {} is behind: dropping QoS 0 messages of client {} from {}, which it has not "
        "kept up with for {} ms ({} dropped since the last report; "
        "akasa_messages_dropped_total{{reason=\"qos0_worker_behind\"}})",
        index_, connection.client_id(), connection.peer(), ConnectionFlow::kShedAfter.count(),
        shed_since_log_);
    shed_logged_at_ = now_;
    shed_since_log_ = 0;
}

void Worker::continue_input_later(ClientConnection& connection) {
    if (connection.worker_lists().input) return;  // handled again in this iteration already
    connection.worker_lists().input = true;
    deferred_input_.push_back(&connection);
}

void Worker::handle_resumed_input() {
    // Handling input may resume others (a flush is not part of it, but closing is).
    while (!resumed_input_.empty()) {
        resuming_input_.swap(resumed_input_);
        for (auto* connection : resuming_input_) {
            if (!connection->worker_lists().input) continue;  // closed or migrated meanwhile
            connection->worker_lists().input = false;
            connection->resume_input();
        }
        resuming_input_.clear();
    }
}

std::unique_ptr<ClientConnection> Worker::release(ClientConnection& connection) {
    if (connection.worker_lists().dirty) {
        std::erase(dirty_, &connection);
        connection.worker_lists().dirty = false;  // also skips it in flushing_
        connection.worker_lists().delivery = false;
    }
    if (connection.worker_lists().held) {
        std::erase(held_, &connection);
        connection.worker_lists().held = false;
    }
    if (connection.worker_lists().input) {
        std::erase(resumed_input_, &connection);
        std::erase(deferred_input_, &connection);
        connection.worker_lists().input = false;  // also skips it in resuming_input_
    }
    if (connection.paused_for_subscribers()) {
        throttle_.forget(connection);
        connection.forget_subscriber_pause();
    }
    auto it = connections_.find(&connection);
    if (it == connections_.end()) return nullptr;
    return std::move(connections_.extract(it).value());
}

void Worker::retire(ClientConnection& connection) {
    auto owned = release(connection);
    if (!owned) return;
    loop_.remove(owned->fd());
    context_.connections.fetch_sub(1, std::memory_order_relaxed);
    counters_.sub(counters_.connections_current);
    graveyard_.push_back(std::move(owned));
}

void Worker::flush_dirty() {
    // A flush may queue more output on the same connection (pump() after the socket took
    // everything), which marks it dirty again: loop on a swapped-out list until quiet.
    for (int round = 0; round < 4 && !dirty_.empty(); ++round) {
        flushing_.swap(dirty_);
        // Deliveries first: each write on a local socket also wakes its reader, so the
        // acknowledgements of an iteration written first would delay every delivery of it.
        for (const bool deliveries : {true, false}) {
            for (auto* connection : flushing_) {
                auto& lists = connection->worker_lists();
                if (!lists.dirty) continue;  // closed, migrated or flushed meanwhile
                if (deliveries && !lists.delivery) continue;
                lists.dirty = false;
                lists.delivery = false;
                if (connection->waits_for_store()) {
                    lists.held = true;
                    held_.push_back(connection);
                    continue;
                }
                connection->flush();
            }
        }
        flushing_.clear();
    }
}

void Worker::flush_outgoing() {
    for (std::uint32_t target = 0; target < outgoing_.size(); ++target) {
        if (!outgoing_[target].empty())
            context_.workers[target]->post_deliveries(outgoing_[target]);
    }
    // Everything allocated for other workers is in their inboxes now (worker_queue.cpp).
    unposted_low_.store(UINT64_MAX, std::memory_order_seq_cst);
}

void Worker::drain_inbox() {
    {
        std::lock_guard lock(inbox_mutex_);
        // What is drained now holds every record posted below the horizon (worker_queue.cpp).
        if (context_.persistence) drained_below_ = posting_horizon();
        drained_deliveries_.swap(inbox_deliveries_);
        inbox_backlog_.fetch_sub(drained_deliveries_.size(), std::memory_order_relaxed);
        drained_tasks_.swap(inbox_tasks_);
    }
    for (auto& task : drained_tasks_)
        task(*this);
    drained_tasks_.clear();
    deliver_batch(drained_deliveries_);
    drained_deliveries_.clear();
}

void Worker::resume_publishers(const ClientConnection* subscriber, bool all) {
    if (!throttle_.any_paused()) return;
    for (const auto& paused : throttle_.take_batch(subscriber, all)) {
        if (paused.publisher) {
            paused.publisher->resume_reading_for_subscribers();
        } else {
            tell_remote_publisher(paused.remote_publisher, false);
        }
    }
}

void Worker::wake_others() {
    for (const auto& worker : context_.workers) {
        if (worker.get() != this) worker->loop_.wake();
    }
}

void Worker::resume_for_remote_drains() {
    const auto batch = throttle_.take_remote_drained(
        [this](SessionId subscriber) { return context_.congested.contains(subscriber); });
    for (const auto& paused : batch)
        paused.publisher->resume_reading_for_subscribers();
}

void Worker::pause_remote_publisher(SessionId publisher, ClientConnection& subscriber) {
    if (owner_of(publisher) == index_ || owner_of(publisher) >= context_.workers.size()) return;
    if (throttle_.add_remote_paused(publisher, subscriber)) tell_remote_publisher(publisher, true);
}

void Worker::tell_remote_publisher(SessionId publisher, bool pause) {
    context_.workers[owner_of(publisher)]->post([publisher, pause](Worker& owner) {
        Session* session = owner.sessions_.find(publisher);
        if (!session || !session->connection) return;  // gone meanwhile
        session->connection->pause_for_remote_subscriber(pause);
    });
}

void Worker::tick() {
    for (auto& listener : listeners_)
        listener->resume_if_paused();
    hook_dispatch_.expire(now_);  // asynchronous hook answers past hook_timeout
    closing_.expire(now_);        // goodbyes of closed WebSocket / TLS connections
    // A congested subscriber that closed or stalled does not hold publishers for long (one
    // that stays past max_output_buffer_bytes drops instead of pausing them again).
    resume_publishers(nullptr);  // local and remote publishers alike
    // Connections: connect timeout, keep alive, v3 resends. Collect first: tick may close.
    std::vector<ClientConnection*> all;
    all.reserve(connections_.size());
    for (const auto& owned : connections_)
        all.push_back(owned.get());
    for (auto* connection : all)
        connection->tick(now_);
    std::vector<HttpClient*> http;
    http.reserve(http_clients_.size());
    for (auto& [raw, owned] : http_clients_)
        http.push_back(raw);
    for (auto* client : http)
        client->tick(now_);

    // Offline sessions: expiry and delayed wills.
    std::vector<Session*> expired;
    for (const auto& session : sessions_) {
        if (session->delayed_will && session->delayed_will_at <= now_) {
            auto will = std::move(session->delayed_will);
            session->delayed_will.reset();
            publish_will(will);
        }
        if (!session->connection && session->expires_at && *session->expires_at <= now_) {
            expired.push_back(session.get());
        }
    }
    for (auto* session : expired) {
        spdlog::info("session of client {} expired", session->client_id());
        end_session(*session);
    }
    // The episode of max_in_mem_pending_bytes_total ends when the queues are back under it.
    if (total_bytes_reported_ &&
        context_.queue_budget.fits(0, limits().queue_bytes_total - limits().queue_bytes_total / 8))
        total_bytes_reported_ = false;
    if (tick_task_) tick_task_(*this);
}

void Worker::publish_wills_for_shutdown() {
    for (auto& listener : listeners_)
        listener->stop();  // a client accepted from now on would leave no will
    // Connections the server closes without a DISCONNECT from the client leave their wills
    // [MQTT-3.1.2-8], published while every worker still runs so that subscribers anywhere
    // get them: online ones in the output drained at shutdown, stored sessions and retained
    // wills in the store (kept across the restart).
    // Collected first: routing may close a connection (output over its hard limit).
    std::vector<MessagePtr> wills;
    for (const auto& owned : connections_) {
        if (auto will = owned->take_will_for_shutdown()) wills.push_back(std::move(will));
    }
    // Offline sessions whose delayed will is pending end with the process unless stored.
    for (const auto& session : sessions_) {
        if (session->delayed_will && !(persist_.enabled() && session->stored)) {
            wills.push_back(std::move(session->delayed_will));
            session->delayed_will.reset();
        }
    }
    for (const auto& will : wills)
        publish_will(will);
    if (!wills.empty()) spdlog::info("shutdown: published {} wills", wills.size());
    commit_persistence();  // queued copies for other workers' sessions are written first
    flush_outgoing();
}

void Worker::shutdown_connections() {
    // Deliveries of other workers' wills (Broker::stop waited until all were posted).
    drain_inbox();
    shutting_down_ = true;  // connections stop reading; only their output matters now
    for (auto& [raw, owned] : http_clients_)
        loop_.remove(raw->fd());
    http_clients_.clear();  // health checks and scrapes are not worth a flush
    std::vector<ClientConnection*> all;
    for (const auto& owned : connections_)
        all.push_back(owned.get());
    // v5 clients are told why [MQTT-3.14.2-1: 0x8B Server shutting down], then everyone's
    // pending output gets a bounded time to drain before the sockets close.
    for (auto* connection : all)
        connection->begin_shutdown();
    const auto deadline = Clock::now() + kShutdownFlushTime;
    for (;;) {
        commit_persistence();  // releases the output held for the store
        flush_dirty();
        bool pending = false;
        for (const auto& owned : connections_)
            pending = pending || owned->has_pending_output();
        now_ = Clock::now();
        if (!pending || now_ >= deadline) break;
        loop_.poll(static_cast<int>(
            std::chrono::ceil<std::chrono::milliseconds>(deadline - now_).count()));
    }
    all.clear();
    for (const auto& owned : connections_)
        all.push_back(owned.get());
    // With the will flag: a will left (a delay running in a stored session) is stored.
    for (auto* connection : all) {
        connection->close(CloseReason{"server shutting down", std::nullopt, true});
    }
    commit_persistence();  // the sessions' disconnect times
    graveyard_.clear();
}

std::string Worker::assign_client_id() {
    // Unique across workers and restarts of a session: worker, serial, and 80 bits from the
    // CSPRNG, so that nobody can predict the id another client will be given (and connect
    // with it first, or take its session over later).
    static constexpr char kDigits[] = "0123456789abcdefghijklmnopqrstuv";  // 32: 5 bits each
    std::string id = fmt::format("akasa-{}-", index_);
    for (const std::uint8_t byte : auth::random_bytes(16))
        id += kDigits[byte % 32];
    id += fmt::format("-{}", next_session_serial_);
    return id;
}

// --- Test seam (worker.h) ---

void Worker::serve_for_test(std::unique_ptr<net::Transport> transport) {
    serve(std::move(transport));
}

int Worker::run_once_for_test(Clock::time_point now) {
    // run()'s loop body without the downstream congestion check (one worker) and with the
    // test's clock in place of Clock::now().
    loop_.set_on_ready([this, now] { now_ = now; });
    now_ = now;
    const int handled = loop_.poll(0, kEventsPerIteration);
    if (loop_.take_wakeup()) drain_inbox();
    finish_iteration(handled, /*congested=*/false);
    return handled;
}

std::size_t Worker::input_buffer_capacity_for_test(int fd) const {
    for (const auto& connection : connections_) {
        if (connection->fd() == fd) return connection->input_buffer_capacity();
    }
    return 0;
}

}  // namespace akasa::broker
