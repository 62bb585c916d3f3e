#include "hook/hook.h"

#include <atomic>
#include <utility>

namespace akasa::hook {

namespace detail {

// Shared by every copy of a Completion; the first answer wins. When the last copy goes
// away unanswered the call is refused now rather than left to the engine's timeout.
struct CompletionState {
    std::shared_ptr<CompletionPoster> poster;
    std::uint64_t call_id = 0;
    HookPoint point = HookPoint::BeforeConnect;
    std::size_t resume_from = 0;
    std::atomic<bool> finished{false};

    bool finish(Decision decision) {
        if (finished.exchange(true, std::memory_order_acq_rel)) return false;
        poster->post(CompletedCall{call_id, point, resume_from, std::move(decision)});
        return true;
    }

    ~CompletionState() {
        finish(Decision::refuse(mqtt::ReasonCode::ImplementationSpecificError,
                                "hook dropped its completion"));
    }
};

}  // namespace detail

const char* to_string(HookPoint point) {
    switch (point) {
        case HookPoint::BeforeConnect:
            return "before_connect";
        case HookPoint::AfterConnect:
            return "after_connect";
        case HookPoint::BeforePublish:
            return "before_publish";
        case HookPoint::AfterPublish:
            return "after_publish";
        case HookPoint::BeforeSubscribe:
            return "before_subscribe";
        case HookPoint::AfterSubscribe:
            return "after_subscribe";
        case HookPoint::BeforeUnsubscribe:
            return "before_unsubscribe";
        case HookPoint::AfterUnsubscribe:
            return "after_unsubscribe";
        case HookPoint::AfterDisconnect:
            return "after_disconnect";
    }
    return "unknown hook point";
}

bool Completion::complete(Decision decision) const {
    if (!state_) return false;
    return state_->finish(std::move(decision));
}

HookCall::~HookCall() = default;

Completion HookCall::defer() {
    if (deferred_ || !site_.poster) return Completion{};
    deferred_ = std::make_shared<detail::CompletionState>();
    deferred_->poster = site_.poster;
    deferred_->call_id = site_.call_id;
    deferred_->point = point_;
    deferred_->resume_from = resume_from_;
    return Completion{deferred_};
}

void HookCall::revoke() {
    if (deferred_) deferred_->finished.store(true, std::memory_order_release);
}

}  // namespace akasa::hook
