// Hands a departed shared-subscription member's deliveries to another online member
// (shared_redispatch.h for the rules and the spec statements behind them).
#include "broker/mqtt5/shared_redispatch.h"

#include <algorithm>
#include <functional>

namespace akasa::broker {
namespace mqtt5 {

std::uint32_t shared_group_tag(std::string_view group) {
    const std::size_t hash = std::hash<std::string_view>{}(group);
    const auto tag = static_cast<std::uint32_t>(hash ^ (hash >> 32));
    return tag == 0 ? 1 : tag;
}

std::size_t pick_other_online_member(config::SharedSubscriptionMode mode,
                                     std::span<const Subscription> members, const Message& message,
                                     std::uint32_t random, const OnlineSessions& online,
                                     SessionId excluded) {
    if (members.empty()) return static_cast<std::size_t>(-1);
    std::size_t start = 0;
    switch (mode) {
        case config::SharedSubscriptionMode::Random:
            start = random % members.size();
            break;
        case config::SharedSubscriptionMode::HashClientId:
            start = std::hash<SessionId>{}(message.publisher) % members.size();
            break;
        case config::SharedSubscriptionMode::HashTopicName:
            start = std::hash<std::string_view>{}(message.topic) % members.size();
            break;
    }
    for (std::size_t i = 0; i < members.size(); ++i) {
        const std::size_t candidate = (start + i) % members.size();
        const SessionId session = members[candidate].session;
        if (session != excluded && online.contains(session)) return candidate;
    }
    return static_cast<std::size_t>(-1);
}

}  // namespace mqtt5

}  // namespace akasa::broker
