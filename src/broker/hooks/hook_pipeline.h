// The one way a connection goes through a hook point, whichever the point.
//
// before_* (CONNECT, PUBLISH, SUBSCRIBE, UNSUBSCRIBE): the chain runs on the packet; a
// refusal refuses it, otherwise it passes on. When a hook answers asynchronously the packet
// is parked (an owned copy: the read buffer moves on) and the connection reads nothing more
// until the answer or hook_timeout; the answer rebuilds the packet from the copy, refuses it
// or is applied to it, and the hooks after the one that answered run next, which may park it
// again.
// after_*: the chain runs and its hooks' actions are taken; while a hook's answer is pending
// an owned copy of the arguments is kept (the connection reads on), so that its actions and
// the hooks after it still run when it answers.
//
// What differs per point is a traits struct (hook_points.h). What refusing and passing a
// packet mean is the connection's: the Host (ClientConnection::HookHost) overloads refused()
// and passed() per Packet type, and provides the rest:
//   HookSession& session();  const HookServices& services();  HookDispatch& dispatch();
//   Clock::time_point now();  std::chrono::seconds hook_timeout();  // the connection's
//   void watch(call_id, bool blocking, Clock::time_point deadline);  // route the answer here
//   void hold_input();       // parked: read nothing more until the answer
//   bool connected() const;  // after_* run, and act, only while the session is connected
//   void apply_actions(std::vector<hook::Action>&);
//   void unreadable(const mqtt::DecodeError&);  // a parked copy did not decode again
//
// A pipeline is made on the stack for one call (it holds only the host). Nothing reaches it
// unless a hook is configured: the connection checks its HookSession pointer first.
#pragma once

#include <spdlog/spdlog.h>

#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <utility>
#include <variant>

#include "broker/hooks/hook_dispatch.h"
#include "broker/hooks/hook_points.h"
#include "broker/hooks/hook_services.h"
#include "broker/hooks/hook_session.h"

namespace akasa::broker {

template <class Host>
class HookPipeline {
  public:
    explicit HookPipeline(Host& host) : host_(host) {}

    // A before_* point: `packet` is refused, passed on, or parked until a hook answers.
    template <class Point>
    void before(typename Point::Packet& packet, typename Point::State& state) {
        if (!chain().any_for(Point::kPoint)) return host_.passed(packet, state);
        hook::PacketArena arena;  // what hooks rewrite lives here until the packet is handled
        run_before<Point>(packet, state, arena, 0);
    }

    // An after_* point with the arguments of Point::run.
    template <class Point, class... Args>
    void after(const Args&... args) {
        if (!chain().any_for(Point::kPoint) || !host_.connected()) return;
        hook::PacketArena arena;
        const auto call_id = host_.dispatch().next_call_id();
        auto result = Point::run(chain(), call_site(arena, call_id), args..., 0);
        act(result, call_id, [&] { return Point::own(args...); });
    }

    // An asynchronous answer arrived. True when it was for the parked packet: the connection
    // may read again.
    bool answered(hook::CompletedCall& call) {
        auto& session = host_.session();
        if (session.parked && session.parked->call_id == call.call_id) {
            ParkedPacket parked = std::move(*session.parked);
            session.parked.reset();
            std::visit([&](auto& packet) { resume(packet, call); }, parked.packet);
            return true;
        }
        // An after_* hook answered: its actions, then the hooks after it.
        auto it = session.after_calls.find(call.call_id);
        if (it == session.after_calls.end()) return false;
        AfterCall owned = std::move(it->second);
        session.after_calls.erase(it);
        if (!host_.connected()) return false;
        host_.apply_actions(call.decision.actions);
        if (host_.connected()) resume_after(owned, call.resume_from);
        return false;
    }

    // No answer to `call_id` within hook_timeout. A parked packet (`blocking`) is refused as
    // the point's traits say, and true returned (the connection may read again); an after_*
    // call's actions are dropped.
    bool timed_out(std::uint64_t call_id, bool blocking) {
        auto& session = host_.session();
        const auto& info = session.info();
        const auto timeout = host_.hook_timeout().count();
        if (!blocking) {
            session.after_calls.erase(call_id);
            spdlog::warn(
                "hook answer for client {} not received within hook_timeout ({}s); its "
                "actions are dropped",
                info.client_id, timeout);
            return false;
        }
        if (!session.parked || session.parked->call_id != call_id) return false;
        const hook::HookPoint point = session.parked->point();
        spdlog::warn("{} hook for {} from {} not answered within hook_timeout ({}s): refused",
                     hook::to_string(point), info.client_id, info.peer_address, timeout);
        const auto reason = std::visit(
            [](const auto& p) { return std::decay_t<decltype(p)>::Point::kTimeoutRefusal; },
            session.parked->packet);
        hook::CompletedCall refusal{call_id, point, 0,
                                    hook::Decision::refuse(reason, "hook timed out")};
        return answered(refusal);
    }

  private:
    const HookServices& services() { return host_.services(); }
    const hook::HookChain& chain() { return services().chain; }

    hook::CallSite call_site(hook::PacketArena& arena, std::uint64_t call_id) {
        return hook::CallSite{host_.session().info(), arena, host_.dispatch().poster(), call_id};
    }

    // The chain from hook `from`; `arena` holds what rewrote `packet` so far.
    template <class Point>
    void run_before(typename Point::Packet& packet, typename Point::State& state,
                    hook::PacketArena& arena, std::size_t from) {
        const auto call_id = host_.dispatch().next_call_id();
        const auto result = Point::run(chain(), call_site(arena, call_id), packet, state, from);
        if (result.pending) return park(call_id, Point::own(packet, std::move(state)));
        if (result.decision.refuses()) return host_.refused(packet, state, result.decision);
        host_.passed(packet, state);
    }

    template <class Parked>
    void park(std::uint64_t call_id, Parked&& parked) {
        const auto timeout = host_.hook_timeout();
        const auto& info = host_.session().info();
        spdlog::debug("{} hook for {} from {} answers asynchronously; waiting up to {}s",
                      hook::to_string(Parked::Point::kPoint), info.client_id, info.peer_address,
                      timeout.count());
        host_.watch(call_id, /*blocking=*/true, host_.now() + timeout);
        host_.session().parked.emplace(ParkedPacket{call_id, std::move(parked)});
        // Nothing more is read until the answer: the client's next packets wait in the socket.
        host_.hold_input();
    }

    template <class Parked>
    void resume(Parked& parked, hook::CompletedCall& call) {
        using Point = typename Parked::Point;
        typename Point::Packet packet;
        typename Point::State state;
        // It decoded before it was parked; the copy cannot differ.
        if (auto error = Point::rebuild(parked, packet, state)) return host_.unreadable(*error);
        if (call.decision.refuses()) return host_.refused(packet, state, call.decision);
        hook::PacketArena arena;
        Point::apply(call.decision, packet, state, arena);
        run_before<Point>(packet, state, arena, call.resume_from);
    }

    // An after_* chain answered (all or up to a pending hook): its actions are taken, and
    // `own()` keeps its arguments while it is pending.
    template <class Own>
    void act(hook::ChainResult& result, std::uint64_t call_id, Own&& own) {
        host_.apply_actions(result.decision.actions);
        if (!result.pending || !host_.connected()) return;
        host_.session().after_calls.emplace(call_id, own());  // owned copies only in this case
        host_.watch(call_id, /*blocking=*/false, host_.now() + host_.hook_timeout());
    }

    void resume_after(AfterCall& owned, std::size_t from) {
        std::visit(
            [&](auto& args) {
                using Point = typename std::decay_t<decltype(args)>::Point;
                hook::PacketArena arena;
                const auto call_id = host_.dispatch().next_call_id();
                auto result = Point::resume(chain(), call_site(arena, call_id), args, from);
                act(result, call_id, [&] { return std::move(args); });
            },
            owned);
    }

    Host& host_;
};

}  // namespace akasa::broker
