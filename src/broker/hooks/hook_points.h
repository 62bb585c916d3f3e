// The hook points as the hook pipeline (hook_pipeline.h) sees them: for each, a traits struct
// saying what its chain sees, how an owned copy of that is made and read back, and which
// HookChain method runs. What refusing and passing a packet mean is the connection's
// (connection_hooks.cpp); nothing here knows the connection.
//
// A before_* point (Connect, Publish, Subscribe, Unsubscribe) has:
//   Packet   what the chain sees and may edit; views into the read buffer, a PacketArena or
//            the Parked copy it was rebuilt from;
//   State    what travels with the packet besides: the engine's own verdicts, what the hooks
//            changed so far, the raw bytes a parked packet is decoded again from;
//   Parked   an owned copy of both, kept while a hook answers asynchronously;
//   run()     the chain from hook `from`; own() the copy; rebuild() the packet and state
//            from it again (an error only if the copy could not be decoded, which it was
//            before); apply() an asynchronous answer that does not refuse;
//   kTimeoutRefusal  the refusal when hook_timeout passes without an answer.
// An after_* point has Owned (its arguments, owned, while a hook's answer is pending), own()
// from its arguments, run() with its arguments and resume() from Owned.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "broker/connection/connect_request.h"
#include "hook/hook.h"
#include "hook/hook_chain.h"
#include "mqtt/decoder.h"
#include "mqtt/packets.h"

namespace akasa::broker {

// --- before_* points ---

struct ConnectPoint {
    static constexpr hook::HookPoint kPoint = hook::HookPoint::BeforeConnect;
    // A CONNECT nobody answers for: the server cannot serve it (v5 0x88, 3.1.1 return code 3).
    static constexpr mqtt::ReasonCode kTimeoutRefusal = mqtt::ReasonCode::ServerUnavailable;
    using Packet = mqtt::Connect;
    struct State {
        mqtt::FixedHeader header;  // the CONNECT's bytes, decoded again on resume
        std::span<const std::uint8_t> body;
        ConnectRequest request;  // what the engine settled so far
    };
    struct Parked {
        using Point = ConnectPoint;
        mqtt::FixedHeader header;
        std::vector<std::uint8_t> body;
        ConnectRequest request;
    };

    static hook::ChainResult run(const hook::HookChain& chain, const hook::CallSite& site,
                                 Packet& connect, State&, std::size_t from) {
        return chain.before_connect(site, connect, from);
    }
    static Parked own(const Packet& connect, State&& state);
    static mqtt::DecodeResult rebuild(Parked& parked, Packet& connect, State& state);
    static void apply(const hook::Decision&, Packet&, State&, hook::PacketArena&) {}
};

struct PublishPoint {
    static constexpr hook::HookPoint kPoint = hook::HookPoint::BeforePublish;
    static constexpr mqtt::ReasonCode kTimeoutRefusal =
        mqtt::ReasonCode::ImplementationSpecificError;
    using Packet = mqtt::Publish;  // its topic with the alias resolved
    struct State {
        mqtt::FixedHeader header;  // the PUBLISH's bytes, decoded again on resume
        std::span<const std::uint8_t> body;
        mqtt::ProtocolVersion version = mqtt::ProtocolVersion::V311;
        bool changed = false;  // a hook rewrote topic, payload, QoS or retain
    };
    struct Parked {
        using Point = PublishPoint;
        mqtt::FixedHeader header;
        std::vector<std::uint8_t> body;
        mqtt::ProtocolVersion version = mqtt::ProtocolVersion::V311;
        std::string topic;  // as the hooks before the pending one left them
        std::string payload;
        bool changed = false;
    };

    static hook::ChainResult run(const hook::HookChain& chain, const hook::CallSite& site,
                                 Packet& publish, State& state, std::size_t from);
    static Parked own(const Packet& publish, State&& state);
    static mqtt::DecodeResult rebuild(Parked& parked, Packet& publish, State& state);
    static void apply(const hook::Decision& decision, Packet& publish, State& state,
                      hook::PacketArena& arena);
};

// SUBSCRIBE and UNSUBSCRIBE: the hooks decide per filter, so a refusal does not end the
// packet; it refuses each filter in the acknowledgement.
struct FilterPoint {
    static constexpr mqtt::ReasonCode kTimeoutRefusal =
        mqtt::ReasonCode::ImplementationSpecificError;
    struct State {
        std::vector<mqtt::ReasonCode> reasons;  // one per filter: an error code refuses it
    };
    template <class Packet>
    static void apply(const hook::Decision& decision, Packet&, State& state, hook::PacketArena&) {
        hook::HookChain::apply(decision, state.reasons);
    }
};

struct SubscribePoint : FilterPoint {
    static constexpr hook::HookPoint kPoint = hook::HookPoint::BeforeSubscribe;
    // The hooks see the packet identifier, the filters with their options and the
    // Subscription Identifier: what a parked copy keeps.
    using Packet = mqtt::Subscribe;
    struct Parked {
        using Point = SubscribePoint;
        std::uint16_t packet_id = 0;
        std::vector<std::string> filters;
        std::vector<mqtt::SubscriptionOptions> options;
        std::vector<std::uint32_t> subscription_identifiers;
        std::vector<mqtt::ReasonCode> reasons;
    };

    // What the hooks see of a client's SUBSCRIBE (views into it).
    static Packet for_hooks(const mqtt::Subscribe& subscribe);
    static hook::ChainResult run(const hook::HookChain& chain, const hook::CallSite& site,
                                 Packet& subscribe, State& state, std::size_t from) {
        return chain.before_subscribe(site, subscribe, state.reasons, from);
    }
    static Parked own(const Packet& subscribe, State&& state);
    static mqtt::DecodeResult rebuild(Parked& parked, Packet& subscribe, State& state);
};

struct UnsubscribePoint : FilterPoint {
    static constexpr hook::HookPoint kPoint = hook::HookPoint::BeforeUnsubscribe;
    using Packet = mqtt::Unsubscribe;  // the packet identifier and the filters
    struct Parked {
        using Point = UnsubscribePoint;
        std::uint16_t packet_id = 0;
        std::vector<std::string> filters;
        std::vector<mqtt::ReasonCode> reasons;
    };

    static Packet for_hooks(const mqtt::Unsubscribe& unsubscribe);
    static hook::ChainResult run(const hook::HookChain& chain, const hook::CallSite& site,
                                 Packet& unsubscribe, State& state, std::size_t from) {
        return chain.before_unsubscribe(site, unsubscribe, state.reasons, from);
    }
    static Parked own(const Packet& unsubscribe, State&& state);
    static mqtt::DecodeResult rebuild(Parked& parked, Packet& unsubscribe, State& state);
};

// --- after_* points ---

struct AfterConnectPoint {
    static constexpr hook::HookPoint kPoint = hook::HookPoint::AfterConnect;
    struct Owned {
        using Point = AfterConnectPoint;
        bool session_present = false;
    };

    static hook::ChainResult run(const hook::HookChain& chain, const hook::CallSite& site,
                                 bool session_present, std::size_t from) {
        return chain.after_connect(site, session_present, from);
    }
    static Owned own(bool session_present) { return Owned{session_present}; }
    static hook::ChainResult resume(const hook::HookChain& chain, const hook::CallSite& site,
                                    const Owned& owned, std::size_t from) {
        return run(chain, site, owned.session_present, from);
    }
};

struct AfterPublishPoint {
    static constexpr hook::HookPoint kPoint = hook::HookPoint::AfterPublish;
    struct Owned {
        using Point = AfterPublishPoint;
        std::string topic;
        std::string payload;
        mqtt::QoS qos = mqtt::QoS::AtMostOnce;
        bool retain = false;
        bool changed = false;
    };

    static hook::ChainResult run(const hook::HookChain& chain, const hook::CallSite& site,
                                 const mqtt::Publish& publish, bool changed, std::size_t from) {
        return chain.after_publish(site, publish, changed, from);
    }
    static Owned own(const mqtt::Publish& publish, bool changed);
    static hook::ChainResult resume(const hook::HookChain& chain, const hook::CallSite& site,
                                    const Owned& owned, std::size_t from);
};

struct AfterSubscribePoint {
    static constexpr hook::HookPoint kPoint = hook::HookPoint::AfterSubscribe;
    struct Owned {
        using Point = AfterSubscribePoint;
        std::uint16_t packet_id = 0;
        std::vector<std::string> filters;
        std::vector<mqtt::SubscriptionOptions> options;
        std::vector<std::uint8_t> codes;
    };

    static hook::ChainResult run(const hook::HookChain& chain, const hook::CallSite& site,
                                 const mqtt::Subscribe& subscribe,
                                 std::span<const std::uint8_t> reason_codes, std::size_t from) {
        return chain.after_subscribe(site, subscribe, reason_codes, from);
    }
    static Owned own(const mqtt::Subscribe& subscribe, std::span<const std::uint8_t> reason_codes);
    static hook::ChainResult resume(const hook::HookChain& chain, const hook::CallSite& site,
                                    const Owned& owned, std::size_t from);
};

struct AfterUnsubscribePoint {
    static constexpr hook::HookPoint kPoint = hook::HookPoint::AfterUnsubscribe;
    struct Owned {
        using Point = AfterUnsubscribePoint;
        std::uint16_t packet_id = 0;
        std::vector<std::string> filters;
    };

    static hook::ChainResult run(const hook::HookChain& chain, const hook::CallSite& site,
                                 const mqtt::Unsubscribe& unsubscribe, std::size_t from) {
        return chain.after_unsubscribe(site, unsubscribe, from);
    }
    static Owned own(const mqtt::Unsubscribe& unsubscribe);
    static hook::ChainResult resume(const hook::HookChain& chain, const hook::CallSite& site,
                                    const Owned& owned, std::size_t from);
};

}  // namespace akasa::broker
