#include "broker/broker.h"

#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <utility>

#include <spdlog/spdlog.h>

#include "broker/metrics/broker_metrics.h"
#include "broker/persist/persist_recovery.h"
#include "broker/sys/sys_publisher.h"
#include "broker/sys/sys_sample.h"
#include "broker/worker/worker.h"
#include "metrics/process_metrics.h"
#include "net/socket.h"

namespace akasa::broker {

std::uint32_t effective_worker_count(std::uint32_t configured) {
    if (configured != 0) return configured;
    cpu_set_t set;
    CPU_ZERO(&set);
    if (::sched_getaffinity(0, sizeof set, &set) == 0) {
        int count = CPU_COUNT(&set);
        if (count > 0) return static_cast<std::uint32_t>(count);
    }
    long online = ::sysconf(_SC_NPROCESSORS_ONLN);
    return online > 0 ? static_cast<std::uint32_t>(online) : 1;
}

Broker::Broker(config::Config config, std::shared_ptr<auth::PasswordStore> passwords)
    : context_(std::make_unique<BrokerContext>(std::move(config), std::move(passwords))) {}

Broker::~Broker() {
    stop();
}

std::uint32_t Broker::worker_count() const {
    return static_cast<std::uint32_t>(context_->workers.size());
}

void Broker::start() {
    const auto& config = context_->startup_config();
    // The store opens and is recovered before any listener exists: no client is served
    // from a partial state (persist_recovery.h). Both throw, naming the store directory.
    if (config.persistence.enable) context_->persistence = Persistence::open(config.persistence);
    // Plugins (their init) and the ACL file load before any worker; throws HookStartError
    // naming the plugin or file (hook_services.h).
    context_->hooks = std::make_unique<HookServices>(config);
    const std::uint32_t count = effective_worker_count(config.worker_threads);
    for (std::uint32_t i = 0; i < count; ++i) {
        context_->workers.push_back(std::make_unique<Worker>(*context_, i));
    }
    start_login_checks(count);
    if (context_->persistence) recover_persistent_state(*context_);
    started_at_ = std::chrono::steady_clock::now();
    start_sys_topics();
    listen_mqtt();
    listen_http();
    for (auto& worker : context_->workers)
        worker->start();
    started_ = true;
}

namespace {

net::Endpoint parse_endpoint(const config::SocketAddress& addr) {
    auto endpoint = net::Endpoint::parse(addr.to_string());
    if (!endpoint) throw std::runtime_error("bad listener address " + addr.to_string());
    return *endpoint;
}

}  // namespace

void Broker::listen_http() {
    const auto& config = context_->startup_config();
    if (!config.listeners.http) return;
    const auto& listener = *config.listeners.http;
    const auto endpoint = parse_endpoint(listener.addr);
    // Both callbacks run on the worker serving the request; they only read shared state.
    http_service_ = std::make_unique<net::http::HttpService>(
        net::http::HttpServiceOptions{.prometheus = listener.prometheus},
        [this] {
            return net::http::HealthReport{
                .version = version_,
                .uptime_seconds = uptime_seconds(),
                .connections = context_->connections.load(std::memory_order_relaxed)};
        },
        [this] { return render_metrics(); });
    if (listener.reuse_port) {
        for (auto& worker : context_->workers) {
            worker->add_http_listener(net::listen_tcp(endpoint, true), false, *http_service_);
        }
    } else {
        int fd = net::listen_tcp(endpoint, false);
        shared_listen_fds_.push_back(fd);
        for (auto& worker : context_->workers)
            worker->add_http_listener(fd, true, *http_service_);
    }
    spdlog::info("listening for HTTP (health{}) on {}", listener.prometheus ? ", metrics" : "",
                 endpoint.to_string());
}

std::string Broker::render_metrics() const {
    return collect_metrics().render();
}

metrics::Registry Broker::collect_metrics() const {
    metrics::Registry registry;
    metrics::declare_broker_metrics(registry);
    for (const auto& worker : context_->workers) {
        const WorkerCounters& counters = std::as_const(*worker).counters();
        metrics::add_worker_counters(registry, counters);
        metrics::add_worker_loop(registry, worker->index(), counters);
    }
    add_listener_metrics(registry);  // broker_listeners.cpp
    metrics::set_broker_gauges(registry, {.subscriptions = context_->subscriptions.size(),
                                          .retained_messages = context_->retained.size(),
                                          .retained_bytes = context_->retained.bytes()});
    metrics::set_build_info(registry, version_, commit_);
    metrics::add_process_metrics(registry, metrics::read_process_sample());
    return registry;
}

std::uint64_t Broker::uptime_seconds() const {
    const auto uptime = std::chrono::steady_clock::now() - started_at_;
    return static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::seconds>(uptime).count());
}

void Broker::start_sys_topics() {
    const auto interval = context_->startup_config().sys_interval;
    if (interval.count() == 0 || context_->workers.empty()) return;
    sys_publisher_ = std::make_unique<sys::SysPublisher>(
        interval, "akasa version " + version_,
        [this] { return sys::sample_from_metrics(collect_metrics(), uptime_seconds()); });
    context_->workers.front()->set_tick_task(
        [publisher = sys_publisher_.get()](Worker& worker) { publisher->on_tick(worker); });
}

std::size_t Broker::run_on_every_worker(std::function<void(Worker&)> task,
                                        std::chrono::seconds timeout) {
    // Shared with the tasks: one may still run after the wait gave up on it.
    struct Countdown {
        std::mutex mutex;
        std::condition_variable done;
        std::size_t left;
    };
    auto countdown = std::make_shared<Countdown>();
    countdown->left = context_->workers.size();
    for (auto& worker : context_->workers) {
        worker->post([countdown, task](Worker& w) {
            task(w);
            std::lock_guard lock(countdown->mutex);
            if (--countdown->left == 0) countdown->done.notify_all();
        });
    }
    std::unique_lock lock(countdown->mutex);
    countdown->done.wait_for(lock, timeout, [&] { return countdown->left == 0; });
    return countdown->left;
}

void Broker::publish_wills_before_stop() {
    // Every worker publishes its clients' wills while all of them still run; only then do
    // they drain and close, each taking the others' will deliveries first. A worker stuck
    // past the bound (a plugin call that never returns) must not hold the shutdown.
    const std::size_t late = run_on_every_worker([](Worker& w) { w.publish_wills_for_shutdown(); },
                                                 kWillsAtShutdownTimeout);
    if (late != 0) {
        spdlog::warn("shutdown: {} worker(s) did not publish their clients' wills within {} s",
                     late, kWillsAtShutdownTimeout.count());
    }
}

void Broker::start_login_checks(std::uint32_t workers) {
    const auto& auth = context_->startup_config().auth;
    if (context_->passwords) {
        // Half the workers by default: a login storm leaves the other half of the CPUs to
        // the clients already connected.
        const std::uint32_t threads =
            auth.hash_threads != 0 ? auth.hash_threads : std::max<std::uint32_t>(1, workers / 2);
        context_->hashing = std::make_unique<auth::HashingPool>(threads, auth.max_pending_logins);
    }
    if (auth.max_failed_logins != 0) {
        context_->failed_logins =
            std::make_unique<auth::FailedLoginLimiter>(auth::FailedLoginLimiter::Options{
                auth.max_failed_logins, auth.failed_login_window, auth.failed_login_block,
                auth.failed_login_addresses});
    }
}

void Broker::stop() {
    if (!started_) return;
    started_ = false;
    publish_wills_before_stop();
    for (auto& worker : context_->workers)
        worker->request_stop();
    for (auto& worker : context_->workers)
        worker->join();
    // Checks still waiting are dropped, running ones post to stopped workers (whose inboxes
    // are never drained again): the pool goes before the workers it posts to.
    context_->hashing.reset();
    // Destroy workers (connections first, then sessions) before the shared state.
    context_->workers.clear();
    context_->hooks.reset();  // after the workers: plugins' deinit, then dlclose
    for (int fd : shared_listen_fds_)
        ::close(fd);
    shared_listen_fds_.clear();
}

}  // namespace akasa::broker
