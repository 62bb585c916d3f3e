// Whether a session may hold a subscription, decided one way whoever asks: a client's
// SUBSCRIBE (client_connection.cpp) or a hook's subscribe action on behalf of its session
// (connection_hooks.cpp). Before this was shared, a hook's subscriptions escaped
// max_subscriptions_per_client.
//
// The rules, in order: a valid filter [MQTT-4.7] within max_topic_levels / max_topic_length;
// shared subscriptions available for a `$share/` filter; No Local not set on one
// [MQTT-3.8.3-4]; wildcard subscriptions available for a filter with `+` or `#`; a new filter
// within max_subscriptions_per_client (replacing a held one always works). Then the QoS is
// capped at max_allowed_qos, the subscription is stored (subscribe_accepted) and retained
// messages are due unless it is shared [MQTT-3.8.4], with Retain Handling 0, or 1 for a new
// subscription [MQTT-3.3.1-9..11].
//
// How a refusal reaches the requester stays with the caller: a client gets a reason code in
// its SUBACK, a hook action a warning.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "broker/session/session.h"
#include "mqtt/packets.h"

namespace akasa::broker {

class Worker;
class TopicLimits;
struct ConfigGeneration;

// No Local on a shared subscription: a client's is a Protocol Error [MQTT-3.8.3-4]; a hook
// action's is cleared (there is no connection of the hook's to close).
enum class SharedNoLocal : std::uint8_t { ProtocolError, Clear };

struct SubscriptionRequest {
    std::string_view filter;
    mqtt::SubscriptionOptions options;
    std::uint32_t identifier = 0;  // the SUBSCRIBE's Subscription Identifier; 0: none
    SharedNoLocal shared_no_local = SharedNoLocal::ProtocolError;
};

struct Admission {
    // Success, or the error code that refuses the subscription. ProtocolError: No Local on a
    // shared subscription with SharedNoLocal::ProtocolError (the connection closes).
    mqtt::ReasonCode refusal = mqtt::ReasonCode::Success;
    // Why it was refused, for a log line; empty when it was logged already (a memory limit
    // hit is counted and logged by Worker::limit_hit).
    std::string why;
    StoredSubscription stored;  // as subscribed: the granted QoS in stored.options.qos
    bool retained_due = false;  // the retained messages matching it are to be sent

    bool admitted() const { return !mqtt::is_error(refusal); }
};

// The first rule, which the before_subscribe hooks rely on (they see only filters that pass
// it): why `filter` is not a valid filter within the topic limits, or nullopt.
std::optional<std::string> filter_refusal(const TopicLimits& limits, std::string_view filter);

// Checks `request` against every rule of `settings` (the requesting connection's config
// generation) and, when it passes, subscribes `session` on `worker`.
Admission admit_subscription(Worker& worker, const ConfigGeneration& settings, Session& session,
                             const SubscriptionRequest& request);

}  // namespace akasa::broker
