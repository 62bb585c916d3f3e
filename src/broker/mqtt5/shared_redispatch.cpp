// Hands a departed shared-subscription member's deliveries to another online member
// (shared_redispatch.h for the rules and the spec statements behind them).
#include "broker/mqtt5/shared_redispatch.h"

#include "broker/routing/shared_member_pick.h"

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
    return next_online_member(online, members,
                              shared_member_for(mode, members.size(), message, random), excluded);
}

}  // namespace mqtt5

}  // namespace akasa::broker
