#include "hook/hook_chain.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <utility>

namespace akasa::hook {

namespace {

std::vector<Action> take_actions(Decision& from) {
    return std::move(from.actions);
}

void append_actions(ChainResult& result, Decision& decision) {
    auto actions = take_actions(decision);
    for (auto& action : actions)
        result.decision.actions.push_back(std::move(action));
}

bool before_point(HookPoint point) {
    switch (point) {
        case HookPoint::BeforeConnect:
        case HookPoint::BeforePublish:
        case HookPoint::BeforeSubscribe:
        case HookPoint::BeforeUnsubscribe:
            return true;
        default:
            return false;
    }
}

struct PublishShape {
    const char* topic;
    std::size_t topic_size;
    const char* payload;
    std::size_t payload_size;
    mqtt::QoS qos;
    bool retain;
    bool operator==(const PublishShape&) const = default;
};

PublishShape shape_of(const mqtt::Publish& p) {
    return {p.topic.data(), p.topic.size(), p.payload.data(), p.payload.size(), p.qos, p.retain};
}

}  // namespace

HookPointSet enabled_points(const config::HookConfig& flags) {
    HookPointSet set = 0;
    if (flags.enable_before_connect) set |= bit(HookPoint::BeforeConnect);
    if (flags.enable_after_connect) set |= bit(HookPoint::AfterConnect);
    if (flags.enable_after_disconnect) set |= bit(HookPoint::AfterDisconnect);
    if (flags.enable_publish) set |= bit(HookPoint::BeforePublish) | bit(HookPoint::AfterPublish);
    if (flags.enable_subscribe) {
        set |= bit(HookPoint::BeforeSubscribe) | bit(HookPoint::AfterSubscribe);
    }
    if (flags.enable_unsubscribe) {
        set |= bit(HookPoint::BeforeUnsubscribe) | bit(HookPoint::AfterUnsubscribe);
    }
    return set;
}

HookChain::HookChain(const config::HookConfig& flags) : enabled_(enabled_points(flags)) {}

void HookChain::add(std::shared_ptr<Hook> hook, Switches switches) {
    const HookPointSet points =
        switches == Switches::Apply ? hook->points() & enabled_ : hook->points();
    for (std::size_t i = 0; i < kHookPointCount; ++i) {
        if (points & (HookPointSet{1} << i)) by_point_[i].push_back(hook.get());
    }
    active_ |= points;
    hooks_.push_back(std::move(hook));
}

void HookChain::on_worker_start(unsigned worker_index) const {
    for (const auto& hook : hooks_)
        hook->on_worker_start(worker_index);
}

void HookChain::on_worker_stop(unsigned worker_index) const {
    for (const auto& hook : hooks_)
        hook->on_worker_stop(worker_index);
}

template <class Invoke, class Merge>
ChainResult HookChain::run(HookPoint point, const CallSite& site, std::size_t from, Invoke&& invoke,
                           Merge&& merge) const {
    ChainResult result;
    const auto& hooks = by_point_[static_cast<std::size_t>(point)];
    for (std::size_t i = from; i < hooks.size(); ++i) {
        HookCall call(site, point, i + 1);
        Outcome outcome = invoke(*hooks[i], call);
        if (outcome.pending) {
            if (call.deferred()) {
                result.pending = true;
                result.resume_from = i + 1;
                return result;
            }
            // A hook that says "pending" without a handle could never answer.
            spdlog::error("hook {} returned pending from {} without deferring{}", hooks[i]->name(),
                          to_string(point),
                          site.poster ? "" : " (this call cannot be answered asynchronously)");
            if (before_point(point)) {
                result.decision = Decision::refuse(mqtt::ReasonCode::ImplementationSpecificError);
                return result;
            }
            continue;
        }
        call.revoke();
        if (!merge(outcome.decision, result)) return result;
    }
    return result;
}

ChainResult HookChain::before_connect(const CallSite& site, mqtt::Connect& connect,
                                      std::size_t from) const {
    return run(
        HookPoint::BeforeConnect, site, from,
        [&](Hook& h, HookCall& call) { return h.before_connect(call, connect); },
        [](Decision& d, ChainResult& r) {
            if (!d.refuses()) return true;
            r.decision = std::move(d);
            return false;
        });
}

ChainResult HookChain::after_connect(const CallSite& site, bool session_present,
                                     std::size_t from) const {
    return run(
        HookPoint::AfterConnect, site, from,
        [&](Hook& h, HookCall& call) { return h.after_connect(call, session_present); },
        [](Decision& d, ChainResult& r) {
            append_actions(r, d);
            return true;
        });
}

ChainResult HookChain::before_publish(const CallSite& site, mqtt::Publish& publish,
                                      std::size_t from) const {
    const PublishShape before = shape_of(publish);
    ChainResult result = run(
        HookPoint::BeforePublish, site, from,
        [&](Hook& h, HookCall& call) { return h.before_publish(call, publish); },
        [&](Decision& d, ChainResult& r) {
            if (d.refuses()) {
                r.decision = std::move(d);
                return false;
            }
            apply(d, publish, site.arena);
            return true;
        });
    result.changed = !(shape_of(publish) == before);
    return result;
}

ChainResult HookChain::after_publish(const CallSite& site, const mqtt::Publish& publish,
                                     bool changed, std::size_t from) const {
    return run(
        HookPoint::AfterPublish, site, from,
        [&](Hook& h, HookCall& call) { return h.after_publish(call, publish, changed); },
        [](Decision& d, ChainResult& r) {
            append_actions(r, d);
            return true;
        });
}

ChainResult HookChain::before_subscribe(const CallSite& site, mqtt::Subscribe& subscribe,
                                        std::span<mqtt::ReasonCode> reasons,
                                        std::size_t from) const {
    return run(
        HookPoint::BeforeSubscribe, site, from,
        [&](Hook& h, HookCall& call) { return h.before_subscribe(call, subscribe, reasons); },
        [&](Decision& d, ChainResult&) {
            apply(d, reasons);
            return true;
        });
}

ChainResult HookChain::after_subscribe(const CallSite& site, const mqtt::Subscribe& subscribe,
                                       std::span<const std::uint8_t> reason_codes,
                                       std::size_t from) const {
    return run(
        HookPoint::AfterSubscribe, site, from,
        [&](Hook& h, HookCall& call) { return h.after_subscribe(call, subscribe, reason_codes); },
        [](Decision& d, ChainResult& r) {
            append_actions(r, d);
            return true;
        });
}

ChainResult HookChain::before_unsubscribe(const CallSite& site, mqtt::Unsubscribe& unsubscribe,
                                          std::span<mqtt::ReasonCode> reasons,
                                          std::size_t from) const {
    return run(
        HookPoint::BeforeUnsubscribe, site, from,
        [&](Hook& h, HookCall& call) { return h.before_unsubscribe(call, unsubscribe, reasons); },
        [&](Decision& d, ChainResult&) {
            apply(d, reasons);
            return true;
        });
}

ChainResult HookChain::after_unsubscribe(const CallSite& site, const mqtt::Unsubscribe& unsubscribe,
                                         std::size_t from) const {
    return run(
        HookPoint::AfterUnsubscribe, site, from,
        [&](Hook& h, HookCall& call) { return h.after_unsubscribe(call, unsubscribe); },
        [](Decision& d, ChainResult& r) {
            append_actions(r, d);
            return true;
        });
}

void HookChain::after_disconnect(const SessionInfo& session, bool taken_over) const {
    for (Hook* hook : by_point_[static_cast<std::size_t>(HookPoint::AfterDisconnect)]) {
        hook->after_disconnect(session, taken_over);
    }
}

bool HookChain::apply(const Decision& decision, mqtt::Publish& publish, PacketArena& arena) {
    bool changed = false;
    if (decision.publish_topic) {
        publish.topic = arena.copy(*decision.publish_topic);
        changed = true;
    }
    if (decision.publish_payload) {
        publish.payload = arena.copy(*decision.publish_payload);
        changed = true;
    }
    return changed;
}

void HookChain::apply(const Decision& decision, std::span<mqtt::ReasonCode> reasons) {
    // A refusal of the whole packet refuses every filter.
    if (decision.refuses()) {
        for (auto& reason : reasons)
            reason = decision.reason;
        return;
    }
    const std::size_t n = std::min(decision.filter_reasons.size(), reasons.size());
    for (std::size_t i = 0; i < n; ++i) {
        if (mqtt::is_error(decision.filter_reasons[i]) && !mqtt::is_error(reasons[i])) {
            reasons[i] = decision.filter_reasons[i];
        }
    }
}

}  // namespace akasa::hook
