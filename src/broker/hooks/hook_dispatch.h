// A worker's side of asynchronous hook answers: the CompletionPoster hooks post to from any
// thread (it turns an answer into a task on this worker), the calls waiting for an answer by
// call id, and their timeouts. Owner thread only, except the poster.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "broker/routing/message.h"
#include "hook/hook.h"

namespace akasa::broker {

class Worker;
class ClientConnection;

class HookDispatch {
  public:
    explicit HookDispatch(Worker& worker);
    ~HookDispatch();
    HookDispatch(const HookDispatch&) = delete;
    HookDispatch& operator=(const HookDispatch&) = delete;

    const std::shared_ptr<hook::CompletionPoster>& poster() const { return poster_; }
    std::uint64_t next_call_id() { return ++last_call_id_; }

    // A call returned pending: route its answer to `connection`. `blocking`: the connection
    // waits (a before_* point) and is refused at `deadline`; otherwise (after_*) a late
    // answer is dropped at the deadline.
    void watch(std::uint64_t call_id, ClientConnection& connection, bool blocking,
               Clock::time_point deadline);
    // The connection closes: answers for it are dropped.
    void forget(const ClientConnection& connection);
    // An answer arrived (on this worker's thread).
    void complete(hook::CompletedCall call);
    // Once per tick: refuse the blocking calls past their deadline.
    void expire(Clock::time_point now);
    // The worker stops: answers posted from now on are dropped.
    void detach();

  private:
    struct Waiting {
        ClientConnection* connection;
        bool blocking;
        Clock::time_point deadline;
    };
    class Poster;

    std::shared_ptr<Poster> poster_impl_;
    std::shared_ptr<hook::CompletionPoster> poster_;
    std::uint64_t last_call_id_ = 0;
    std::unordered_map<std::uint64_t, Waiting> waiting_;
};

}  // namespace akasa::broker
