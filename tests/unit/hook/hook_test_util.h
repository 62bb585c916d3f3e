// Helpers for the hook unit tests: a session, a call site, and a CompletionPoster that
// lets a test wait for an asynchronous answer (no sleeps).
#pragma once

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>

#include "hook/hook.h"

namespace akasa::hook::testing {

// Collects CompletedCalls posted from any thread.
class QueuePoster : public CompletionPoster {
  public:
    void post(CompletedCall call) override {
        {
            std::lock_guard lock(mutex_);
            calls_.push_back(std::move(call));
        }
        ready_.notify_all();
    }

    // Waits until a call arrives (the hook under test always answers; a test that hangs
    // here is failed by ctest's timeout).
    CompletedCall wait() {
        std::unique_lock lock(mutex_);
        ready_.wait(lock, [&] { return !calls_.empty(); });
        CompletedCall call = std::move(calls_.front());
        calls_.pop_front();
        return call;
    }

    std::size_t size() {
        std::lock_guard lock(mutex_);
        return calls_.size();
    }

  private:
    std::mutex mutex_;
    std::condition_variable ready_;
    std::deque<CompletedCall> calls_;
};

inline SessionInfo make_session(std::string_view client_id = "client-1",
                                std::optional<std::string_view> username = std::nullopt) {
    SessionInfo s;
    s.client_id = client_id;
    s.username = username;
    s.version = mqtt::ProtocolVersion::V5;
    s.peer_address = "127.0.0.1:50000";
    s.listener = "mqtt";
    return s;
}

// A session, an arena and a poster bundled for one test.
struct Site {
    SessionInfo session = make_session();
    PacketArena arena;
    std::shared_ptr<QueuePoster> poster = std::make_shared<QueuePoster>();
    CallSite site(std::uint64_t call_id = 1) { return CallSite{session, arena, poster, call_id}; }
};

}  // namespace akasa::hook::testing
