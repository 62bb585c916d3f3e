// HookChain: the registered hooks, run in registration order at each hook point.
//
// Contract: hooks are added before the workers start; afterwards the chain is read-only
// and its run methods may be called from every worker at once. A point that no hook
// implements, or that a `hook.enable_*` flag turns off, has no hooks: the engine tests
// any_for(point) (one load and a bit test) and skips the call, building nothing.
//
//   HookChain chain(config.hook);
//   chain.add(std::make_shared<AclHook>(acl_store));
//   if (chain.any_for(HookPoint::BeforePublish)) {
//       ChainResult r = chain.before_publish(site, publish);
//       if (r.pending) { park the publish until the CompletedCall for site.call_id; }
//       else if (r.decision.refuses()) { PUBACK/PUBREC with r.decision.reason (v5) or drop; }
//   }
//
// Asynchronous answers: when a hook defers, the run returns `pending` with `resume_from`.
// The engine keeps the packet (copied into owned storage) and the session, waits for the
// CompletedCall its CompletionPoster receives (refusing on timeout), then on the owning
// worker: stops if decision.refuses(), else apply()s the decision and calls the same run
// method again with `from = resume_from`.
#pragma once

#include <array>
#include <cstddef>
#include <memory>
#include <span>
#include <vector>

#include "config/config.h"
#include "hook/hook.h"

namespace akasa::hook {

struct ChainResult {
    bool pending = false;
    std::size_t resume_from = 0;  // when pending: the `from` to resume with
    // before_*: the first refusal (reason >= 0x80) or Success; after_*: the actions of every
    // hook that answered so far (apply them even when pending).
    Decision decision;
    bool changed = false;  // before_publish: a hook changed topic, payload, QoS or retain
};

// The hook points each `hook.enable_*` flag turns on.
HookPointSet enabled_points(const config::HookConfig& flags);

class HookChain {
  public:
    explicit HookChain(const config::HookConfig& flags = {});

    // Whether the `hook.enable_*` switches apply to a hook. They turn extension points off;
    // a hook that enforces the server's security policy (the ACL) is not an extension that
    // a switch meant for plugins may silently disable.
    enum class Switches : std::uint8_t { Apply, Ignore };
    void add(std::shared_ptr<Hook> hook, Switches switches = Switches::Apply);
    std::size_t size() const { return hooks_.size(); }

    bool any_for(HookPoint point) const { return (active_ & bit(point)) != 0; }

    void on_worker_start(unsigned worker_index) const;
    void on_worker_stop(unsigned worker_index) const;

    ChainResult before_connect(const CallSite& site, mqtt::Connect& connect,
                               std::size_t from = 0) const;
    ChainResult after_connect(const CallSite& site, bool session_present,
                              std::size_t from = 0) const;
    ChainResult before_publish(const CallSite& site, mqtt::Publish& publish,
                               std::size_t from = 0) const;
    ChainResult after_publish(const CallSite& site, const mqtt::Publish& publish, bool changed,
                              std::size_t from = 0) const;
    // `reasons`: one per filter, Success on entry (or the engine's own refusals).
    ChainResult before_subscribe(const CallSite& site, mqtt::Subscribe& subscribe,
                                 std::span<mqtt::ReasonCode> reasons, std::size_t from = 0) const;
    ChainResult after_subscribe(const CallSite& site, const mqtt::Subscribe& subscribe,
                                std::span<const std::uint8_t> reason_codes,
                                std::size_t from = 0) const;
    ChainResult before_unsubscribe(const CallSite& site, mqtt::Unsubscribe& unsubscribe,
                                   std::span<mqtt::ReasonCode> reasons, std::size_t from = 0) const;
    ChainResult after_unsubscribe(const CallSite& site, const mqtt::Unsubscribe& unsubscribe,
                                  std::size_t from = 0) const;
    void after_disconnect(const SessionInfo& session, bool taken_over) const;

    // Apply a (possibly asynchronous) non-refusing answer to the packet before resuming.
    // Returns true when the publish changed.
    static bool apply(const Decision& decision, mqtt::Publish& publish, PacketArena& arena);
    static void apply(const Decision& decision, std::span<mqtt::ReasonCode> reasons);

  private:
    template <class Invoke, class Merge>
    ChainResult run(HookPoint point, const CallSite& site, std::size_t from, Invoke&& invoke,
                    Merge&& merge) const;

    HookPointSet enabled_;
    HookPointSet active_ = 0;
    std::vector<std::shared_ptr<Hook>> hooks_;
    std::array<std::vector<Hook*>, kHookPointCount> by_point_;
};

}  // namespace akasa::hook
