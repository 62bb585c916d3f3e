#include "broker/hooks/hook_dispatch.h"

#include <vector>

#include "broker/connection/client_connection.h"
#include "broker/worker/worker.h"

namespace akasa::broker {

// Any thread: hands the answer to the worker as a task. After detach() (the worker stops)
// answers are dropped; the poster itself lives as long as the last Completion holding it.
class HookDispatch::Poster final : public hook::CompletionPoster {
  public:
    explicit Poster(Worker& worker) : worker_(&worker) {}

    void post(hook::CompletedCall call) override {
        std::lock_guard lock(mutex_);
        if (!worker_) return;
        worker_->post([call = std::move(call)](Worker& w) mutable {
            w.hook_dispatch().complete(std::move(call));
        });
    }

    void detach() {
        std::lock_guard lock(mutex_);
        worker_ = nullptr;
    }

  private:
    std::mutex mutex_;
    Worker* worker_;  // guarded by mutex_
};

HookDispatch::HookDispatch(Worker& worker)
    : poster_impl_(std::make_shared<Poster>(worker)), poster_(poster_impl_) {}

HookDispatch::~HookDispatch() {
    detach();
}

void HookDispatch::detach() {
    poster_impl_->detach();
}

void HookDispatch::watch(std::uint64_t call_id, ClientConnection& connection, bool blocking,
                         Clock::time_point deadline) {
    waiting_[call_id] = Waiting{&connection, blocking, deadline};
}

void HookDispatch::forget(const ClientConnection& connection) {
    std::erase_if(waiting_,
                  [&](const auto& entry) { return entry.second.connection == &connection; });
}

void HookDispatch::complete(hook::CompletedCall call) {
    auto it = waiting_.find(call.call_id);
    if (it == waiting_.end()) return;  // timed out, or the connection closed
    ClientConnection* connection = it->second.connection;
    waiting_.erase(it);
    connection->on_hook_answer(std::move(call));
}

void HookDispatch::expire(Clock::time_point now) {
    if (waiting_.empty()) return;
    std::vector<std::pair<std::uint64_t, Waiting>> expired;
    for (const auto& [id, waiting] : waiting_) {
        if (waiting.deadline <= now) expired.emplace_back(id, waiting);
    }
    for (const auto& [id, waiting] : expired) {
        // Looked up again: refusing one call may close a connection and forget others.
        if (waiting_.erase(id) == 0) continue;
        waiting.connection->on_hook_timeout(id, waiting.blocking);
    }
}

}  // namespace akasa::broker
