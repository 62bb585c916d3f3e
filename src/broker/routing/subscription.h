// One subscription of one session to one topic filter, with the options of SUBSCRIBE.
// A plain value (16 bytes): the subscription index stores these by value and hands them out
// by const reference during matching.
#pragma once

#include <cstdint>

namespace akasa::broker {

// Identifies a session across the broker (never reused while the session lives).
using SessionId = std::uint64_t;

struct Subscription {
    SessionId session = 0;
    std::uint32_t identifier = 0;  // v5 Subscription Identifier; 0 = none
    std::uint8_t qos = 0;          // maximum QoS granted
    bool no_local = false;         // v5: do not deliver the session's own publishes
    bool retain_as_published = false;
    std::uint8_t retain_handling = 0;  // v5: 0 send, 1 send if new, 2 never

    friend bool operator==(const Subscription&, const Subscription&) = default;
};

// What subscribe() did: the engine needs it for Retain Handling 1 [MQTT-3.3.1-10].
enum class SubscribeResult : std::uint8_t {
    kAdded,     // no subscription of this session to this (group, filter) existed
    kReplaced,  // one existed; its options were replaced [MQTT-3.8.4-3]
};

}  // namespace akasa::broker
