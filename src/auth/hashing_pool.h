// A small fixed set of threads that run expensive password checks (PBKDF2) away from the
// event loops, behind a bounded queue: a storm of logins waits here, or is refused, instead
// of stalling the workers that serve the clients already connected.
//
//   HashingPool pool(2, 1024);                  // 2 threads, at most 1024 jobs waiting
//   bool queued = pool.try_submit([=] {
//       const bool ok = entry.matches(password);  // on a pool thread
//       worker.post(answer(ok));                  // the job hands its result back itself
//   });
//   if (!queued) refuse("server busy");
//
// Contract:
// - try_submit() is thread-safe and never blocks. It returns false, and destroys the job
//   unrun, when `max_queued` jobs are already waiting (jobs running on a thread do not
//   count) or after stop().
// - Jobs start in submission order, each on one of the threads. A job must hand its result
//   back itself (to an event loop's inbox); it should not throw: an exception is caught and
//   logged, and the job counts as done.
// - stop() (also run by the destructor): the jobs not started are destroyed unrun, the
//   running ones finish, the threads are joined. Whatever a job refers to must outlive the
//   pool's stop (the broker stops the pool before it destroys its workers).
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace akasa::auth {

class HashingPool {
  public:
    // threads >= 1, max_queued >= 1.
    HashingPool(std::size_t threads, std::size_t max_queued);
    ~HashingPool();
    HashingPool(const HashingPool&) = delete;
    HashingPool& operator=(const HashingPool&) = delete;

    bool try_submit(std::function<void()> job);
    void stop();

    std::size_t thread_count() const { return threads_.size(); }
    std::size_t max_queued() const { return max_queued_; }
    // Jobs waiting for a thread now.
    std::size_t queued() const;

  private:
    void run();

    const std::size_t max_queued_;
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<std::function<void()>> queue_;  // guarded by mutex_
    bool stopping_ = false;                    // guarded by mutex_
    std::vector<std::thread> threads_;
};

}  // namespace akasa::auth
