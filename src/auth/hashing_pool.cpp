#include "auth/hashing_pool.h"

#include <pthread.h>

#include <exception>

#include <spdlog/spdlog.h>

namespace akasa::auth {

HashingPool::HashingPool(std::size_t threads, std::size_t max_queued)
    : max_queued_(max_queued == 0 ? 1 : max_queued) {
    const std::size_t count = threads == 0 ? 1 : threads;
    threads_.reserve(count);
    for (std::size_t i = 0; i < count; ++i) {
        threads_.emplace_back([this] { run(); });
        // Shown by top -H and in core dumps: a busy one is a login storm, not a worker.
        ::pthread_setname_np(threads_.back().native_handle(), "akasa-hash");
    }
}

HashingPool::~HashingPool() {
    stop();
}

bool HashingPool::try_submit(std::function<void()> job) {
    {
        std::lock_guard lock(mutex_);
        if (stopping_ || queue_.size() >= max_queued_) return false;
        queue_.push_back(std::move(job));
    }
    wake_.notify_one();
    return true;
}

std::size_t HashingPool::queued() const {
    std::lock_guard lock(mutex_);
    return queue_.size();
}

void HashingPool::stop() {
    std::deque<std::function<void()>> dropped;
    {
        std::lock_guard lock(mutex_);
        if (stopping_ && threads_.empty()) return;
        stopping_ = true;
        dropped.swap(queue_);
    }
    wake_.notify_all();
    for (auto& thread : threads_) {
        if (thread.joinable()) thread.join();
    }
    threads_.clear();
    dropped.clear();  // outside the lock: a job's captures may be large (or wipe secrets)
}

void HashingPool::run() {
    for (;;) {
        std::function<void()> job;
        {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
            if (stopping_) return;
            job = std::move(queue_.front());
            queue_.pop_front();
        }
        try {
            job();
        } catch (const std::exception& e) {
            spdlog::error("a password check failed on a hashing thread: {}", e.what());
        }
    }
}

}  // namespace akasa::auth
