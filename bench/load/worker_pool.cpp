#include "worker_pool.h"

namespace akasa::bench {

WorkerPool::WorkerPool(const WorkerSettings& settings, const std::vector<ConnectionSpec>& specs,
                       int threads, RunControl& control)
    : control_(control), connection_count_(specs.size()) {
    threads = std::max(1, threads);
    std::vector<std::vector<ConnectionSpec>> shares(static_cast<std::size_t>(threads));
    for (std::size_t i = 0; i < specs.size(); ++i)
        shares[i % shares.size()].push_back(specs[i]);
    WorkerSettings per_worker = settings;
    per_worker.connect_concurrency = std::max(1, settings.connect_concurrency / threads);
    for (auto& share : shares) {
        workers_.push_back(std::make_unique<Worker>(per_worker, std::move(share), control));
    }
}

WorkerPool::~WorkerPool() {
    stop_and_join();
}

void WorkerPool::start() {
    for (auto& worker : workers_)
        threads_.emplace_back([w = worker.get()] { w->run(); });
}

bool WorkerPool::wait_ready(std::uint64_t deadline_ns) {
    BrokerMonitor none(0);
    wait_until(deadline_ns, none, [&] {
        return control_.failed_connections.load(std::memory_order_relaxed) > 0 ||
               control_.ready_connections.load(std::memory_order_acquire) >= connection_count_;
    });
    return control_.failed_connections.load() == 0 &&
           control_.ready_connections.load() >= connection_count_;
}

void WorkerPool::stop_and_join() {
    control_.stop.store(true, std::memory_order_release);
    for (auto& thread : threads_) {
        if (thread.joinable()) thread.join();
    }
    threads_.clear();
}

WorkerStats WorkerPool::merged_stats() const {
    WorkerStats total;
    for (const auto& worker : workers_)
        total.merge(worker->stats());
    return total;
}

BrokerMonitor::BrokerMonitor(pid_t pid) : pid_(pid) {
    if (pid_ > 0) {
        before_ = sample_process(pid_);
        if (before_) max_rss_ = before_->rss_bytes;
    }
}

void BrokerMonitor::poll() {
    if (pid_ <= 0) return;
    if (auto sample = sample_process(pid_)) max_rss_ = std::max(max_rss_, sample->rss_bytes);
}

void BrokerMonitor::begin_window() {
    if (pid_ > 0) window_start_ = sample_process(pid_);
}

void BrokerMonitor::end_window() {
    if (pid_ <= 0) return;
    window_end_ = sample_process(pid_);
    if (window_end_) max_rss_ = std::max(max_rss_, window_end_->rss_bytes);
}

std::optional<BrokerUsage> BrokerMonitor::usage() const {
    if (!before_ || !window_start_ || !window_end_) return std::nullopt;
    BrokerUsage usage;
    usage.cpu_percent = cpu_percent(*window_start_, *window_end_);
    usage.rss_bytes = window_end_->rss_bytes;
    usage.max_rss_bytes = max_rss_;
    usage.rss_before_bytes = before_->rss_bytes;
    return usage;
}

}  // namespace akasa::bench
