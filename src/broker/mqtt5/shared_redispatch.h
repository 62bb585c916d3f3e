// Shared subscriptions (spec 4.8.2) when a member goes away: its deliveries that came
// through a share group and are not yet sent (queued, any QoS), and its QoS 1 deliveries
// sent and not yet acknowledged, go to another ONLINE member of the same group, chosen the
// usual way (shared_subscription_mode). The spec lets the server do so as soon as the
// connection is lost (MAY) and asks for it when the session ends (SHOULD); a QoS 2
// PUBLISH already sent stays with its client, whose delivery must complete when it comes
// back [MQTT-4.8.2-4] and must never go to another one [MQTT-4.8.2-5]. A delivery the
// client refused (PUBACK/PUBREC >= 0x80) is already gone from the session, so it cannot
// move [MQTT-4.8.2-6].
//
// The publish path tags each delivery made by one shared subscription with its group
// (Delivery::shared_group); Worker::redispatch_shared (worker/worker_shared_redispatch.cpp) does
// the move, on the session's owner thread, through the normal delivery path (same worker: directly;
// another worker: its inbox). With persistence on, the old session's copies are marked done and the
// new session's stored in the same store batch.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "broker/mqtt5/mqtt5_online_sessions.h"
#include "broker/routing/message.h"
#include "broker/routing/subscription.h"
#include "config/config.h"

namespace akasa::broker::mqtt5 {

// A nonzero tag for share group `group`, for Delivery::shared_group (0 means "not through
// exactly one shared subscription"). Not unique: a collision only makes a redispatch look at
// a group of another name that also holds the session and matches the topic.
std::uint32_t shared_group_tag(std::string_view group);

// The member to hand a message to: the one `mode` picks (`random` for Random) if it is
// online and not `excluded`, else the next such member after it (wrapping); npos when no
// other member is online.
std::size_t pick_other_online_member(config::SharedSubscriptionMode mode,
                                     std::span<const Subscription> members, const Message& message,
                                     std::uint32_t random, const OnlineSessions& online,
                                     SessionId excluded);

}  // namespace akasa::broker::mqtt5
