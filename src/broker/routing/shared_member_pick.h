// Which member of a shared subscription group (spec 4.8.2) gets a message, by
// shared_subscription_mode: Random spreads the load; HashClientId gives one publisher's
// messages to one member (in order); HashTopicName does so per topic. Routing starts from
// this member, and so does a redispatch when a member leaves (mqtt5/shared_redispatch.h).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string_view>

#include "broker/routing/message.h"
#include "config/config.h"

namespace akasa::broker {

// An index below `members` (which is not 0); `random` is used by Random only.
inline std::size_t shared_member_for(config::SharedSubscriptionMode mode, std::size_t members,
                                     const Message& message, std::uint32_t random) {
    switch (mode) {
        case config::SharedSubscriptionMode::HashClientId:
            return std::hash<SessionId>{}(message.publisher) % members;
        case config::SharedSubscriptionMode::HashTopicName:
            return std::hash<std::string_view>{}(message.topic) % members;
        case config::SharedSubscriptionMode::Random:
            break;
    }
    return random % members;
}

}  // namespace akasa::broker
