// The C++ hook interface: the points where code outside the engine sees and steers what a
// client does (Akasa's Hook trait; docs/plugins.md is the guide). The same interface serves
// MQTT 3.1, 3.1.1 and 5.0 sessions.
//
// Threading contract: the engine calls a hook on the worker thread that owns the session,
// from every worker at once, so a Hook must be safe to call concurrently. A hook never blocks:
// when it needs I/O it calls `call.defer()`, returns `Outcome::pending()`, and later (from
// any thread) calls `complete()` on the Completion; the engine waits for that answer (with
// a timeout) while it keeps serving every other client.
//
// Lifetime contract: every std::string_view a hook receives (SessionInfo, packets) is valid
// only during the call. A hook that defers copies what it needs first.
//
//   class DenyBadWords : public Hook {
//       HookPointSet points() const override { return bit(HookPoint::BeforePublish); }
//       Outcome before_publish(HookCall&, mqtt::Publish& p) override {
//           if (p.topic.starts_with("forbidden/")) return Decision::refuse(NotAuthorized);
//           return {};
//       }
//   };
#pragma once

#include <cstddef>
#include <cstdint>
#include <forward_list>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "mqtt/packets.h"
#include "mqtt/types.h"

namespace akasa::hook {

namespace acl {
class ClientAcl;
}

enum class HookPoint : std::uint8_t {
    BeforeConnect,
    AfterConnect,
    BeforePublish,
    AfterPublish,
    BeforeSubscribe,
    AfterSubscribe,
    BeforeUnsubscribe,
    AfterUnsubscribe,
    AfterDisconnect,
};
inline constexpr std::size_t kHookPointCount = 9;

const char* to_string(HookPoint point);

// A set of hook points as a bit mask (bit i is HookPoint i).
using HookPointSet = std::uint32_t;
constexpr HookPointSet bit(HookPoint point) {
    return HookPointSet{1} << static_cast<unsigned>(point);
}
inline constexpr HookPointSet kAllHookPoints = (HookPointSet{1} << kHookPointCount) - 1;

// Read-only facts about the session a hook is called for. In before_connect the username is
// the CONNECT packet's and the client id the one the session will have (the server's
// assigned id when the CONNECT's was empty).
struct SessionInfo {
    std::string_view client_id;
    std::optional<std::string_view> username;
    mqtt::ProtocolVersion version = mqtt::ProtocolVersion::V311;
    std::string_view peer_address;                     // "127.0.0.1:50312", "[::1]:50312"
    std::optional<std::string_view> tls_peer_subject;  // client certificate subject, if any
    std::string_view listener;                         // "mqtt", "mqtts", "ws" or "wss"
    // The engine's per-client cache of bound ACL rules (null: none). Only the ACL hook uses
    // it, on the worker owning the session.
    acl::ClientAcl* acl_cache = nullptr;
};

// Storage that lives as long as the packet a before_* hook may edit: a hook that changes a
// field of the packet in place points it at a copy made here.
//   publish.topic = call.arena().copy("v2/" + rest);
class PacketArena {
  public:
    std::string_view copy(std::string_view text) { return strings_.emplace_front(text); }
    std::string_view adopt(std::string&& text) { return strings_.emplace_front(std::move(text)); }
    bool empty() const { return strings_.empty(); }

  private:
    // A list never moves its elements (views stay valid) and, unlike a deque, allocates
    // nothing until the first copy: an arena no hook writes to costs nothing.
    std::forward_list<std::string> strings_;
};

// Things an after_* hook asks the server to do on behalf of the session.
struct PublishAction {
    std::string topic;
    std::string payload;
    mqtt::QoS qos = mqtt::QoS::AtMostOnce;
    bool retain = false;
    bool operator==(const PublishAction&) const = default;
};
struct SubscribeAction {
    std::string filter;
    mqtt::SubscriptionOptions options;
    bool operator==(const SubscribeAction&) const = default;
};
struct UnsubscribeAction {
    std::string filter;
    bool operator==(const UnsubscribeAction&) const = default;
};
using Action = std::variant<PublishAction, SubscribeAction, UnsubscribeAction>;

// A hook's answer. Owns all its data, so it can be built on any thread and moved to the
// worker that owns the session. Which fields matter depends on the point:
//  - before_connect, before_publish: `reason` (an error code, >= 0x80, refuses);
//  - before_publish: `publish_topic` / `publish_payload` replace the packet's fields (the
//    way an asynchronous hook rewrites; a synchronous one may also edit the packet itself);
//  - before_subscribe / before_unsubscribe: `filter_reasons`, empty or one per filter, an
//    error code refuses that filter;
//  - after_*: `actions`.
struct Decision {
    mqtt::ReasonCode reason = mqtt::ReasonCode::Success;
    std::string reason_string;  // v5 Reason String sent with a refusal, if not empty
    std::optional<std::string> publish_topic;
    std::optional<std::string> publish_payload;
    std::vector<mqtt::ReasonCode> filter_reasons;
    std::vector<Action> actions;

    bool refuses() const { return mqtt::is_error(reason); }

    static Decision refuse(mqtt::ReasonCode code, std::string why = {}) {
        Decision d;
        d.reason = code;
        d.reason_string = std::move(why);
        return d;
    }
};

// What a hook method returns: a decision now, or "pending" after it called HookCall::defer.
struct Outcome {
    bool pending = false;
    Decision decision;

    Outcome() = default;
    Outcome(Decision d) : decision(std::move(d)) {}  // NOLINT: implicit on purpose
    static Outcome deferred() {
        Outcome o;
        o.pending = true;
        return o;
    }
};

// An asynchronous answer on its way back: the engine routes it to the worker owning the
// call (by call_id), applies `decision` (HookChain::apply) and resumes the chain from
// `resume_from` (HookChain's `from` argument).
struct CompletedCall {
    std::uint64_t call_id = 0;
    HookPoint point = HookPoint::BeforeConnect;
    std::size_t resume_from = 0;
    Decision decision;
};

// Supplied by the engine, one per worker (or one for all): takes a finished asynchronous
// answer from any thread and hands it to the owning worker (e.g. a queue + eventfd). Must
// not block for long and must accept answers for calls that already timed out (drop them).
class CompletionPoster {
  public:
    virtual ~CompletionPoster() = default;
    virtual void post(CompletedCall call) = 0;
};

namespace detail {
struct CompletionState;
}

// The handle a deferring hook keeps to answer later. Copyable; the first complete() wins
// and later ones are ignored. If every copy is destroyed without an answer, the call is
// answered with ImplementationSpecificError ("hook dropped its completion") so the
// connection is refused at once instead of waiting for the timeout.
class Completion {
  public:
    Completion() = default;
    // Thread-safe. Returns false when the call was already answered (or never valid).
    bool complete(Decision decision) const;
    bool valid() const { return state_ != nullptr; }

  private:
    friend class HookCall;
    explicit Completion(std::shared_ptr<detail::CompletionState> state)
        : state_(std::move(state)) {}
    std::shared_ptr<detail::CompletionState> state_;
};

// Where a chain runs, provided by the engine for each call of the chain.
struct CallSite {
    const SessionInfo& session;
    PacketArena& arena;
    // Null: this call cannot be answered asynchronously (defer() gives an invalid handle
    // and the chain refuses a hook that returns pending).
    std::shared_ptr<CompletionPoster> poster;
    std::uint64_t call_id = 0;
};

// One hook's view of the call it is answering.
class HookCall {
  public:
    HookCall(const CallSite& site, HookPoint point, std::size_t resume_from)
        : site_(site), point_(point), resume_from_(resume_from) {}
    ~HookCall();
    HookCall(const HookCall&) = delete;
    HookCall& operator=(const HookCall&) = delete;

    const SessionInfo& session() const { return site_.session; }
    PacketArena& arena() { return site_.arena; }
    HookPoint point() const { return point_; }

    // Take the handle to answer later, then return Outcome::deferred(). Once per call.
    Completion defer();
    bool deferred() const { return deferred_ != nullptr; }
    // Used by the chain when a hook deferred but then answered synchronously after all:
    // its later completion is ignored.
    void revoke();

  private:
    const CallSite& site_;
    HookPoint point_;
    std::size_t resume_from_;
    std::shared_ptr<detail::CompletionState> deferred_;
};

// The interface. Override the points you use and list them in points(); the chain never
// calls the others. Defaults accept and return no actions.
class Hook {
  public:
    virtual ~Hook() = default;
    virtual std::string_view name() const = 0;
    virtual HookPointSet points() const = 0;

    // Called on each worker thread as it starts / stops (plugins' per-thread init).
    virtual void on_worker_start(unsigned /*worker_index*/) {}
    virtual void on_worker_stop(unsigned /*worker_index*/) {}

    // Refuse with BadUserNameOrPassword, NotAuthorized, ClientIdentifierNotValid,
    // ServerUnavailable, QuotaExceeded, ConnectionRateExceeded, UnspecifiedError, ...
    virtual Outcome before_connect(HookCall&, mqtt::Connect&) { return {}; }
    virtual Outcome after_connect(HookCall&, bool /*session_present*/) { return {}; }
    // The topic alias is already resolved: publish.topic is never empty here.
    virtual Outcome before_publish(HookCall&, mqtt::Publish&) { return {}; }
    // `changed`: a before_publish hook rewrote the packet.
    virtual Outcome after_publish(HookCall&, const mqtt::Publish&, bool /*changed*/) { return {}; }
    // `reasons` has one entry per filter, Success until a hook refuses it; set an error code
    // to refuse that filter (or return Decision::filter_reasons).
    virtual Outcome before_subscribe(HookCall&, mqtt::Subscribe&,
                                     std::span<mqtt::ReasonCode> /*reasons*/) {
        return {};
    }
    // `reason_codes` are the SUBACK codes the client receives.
    virtual Outcome after_subscribe(HookCall&, const mqtt::Subscribe&,
                                    std::span<const std::uint8_t> /*reason_codes*/) {
        return {};
    }
    virtual Outcome before_unsubscribe(HookCall&, mqtt::Unsubscribe&,
                                       std::span<mqtt::ReasonCode> /*reasons*/) {
        return {};
    }
    virtual Outcome after_unsubscribe(HookCall&, const mqtt::Unsubscribe&) { return {}; }
    // Observe only. `taken_over`: another connection took this session over.
    virtual void after_disconnect(const SessionInfo&, bool /*taken_over*/) {}
};

}  // namespace akasa::hook
