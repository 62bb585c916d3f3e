#include "broker/session/session.h"

#include <algorithm>
#include <string_view>

namespace akasa::broker {

bool Session::has_shared_subscription() const {
    constexpr std::string_view kShared = "$share/";
    auto it = subscriptions.lower_bound(kShared);
    return it != subscriptions.end() && it->first.starts_with(kShared);
}

bool Session::belongs_to(const std::optional<std::string>& username) const {
    if (owner_unknown) return true;
    if (!owner || !username) return !owner && !username;
    return *owner == *username;
}

bool Session::awaiting_release(std::uint16_t id) const {
    return std::find(awaiting_pubrel.begin(), awaiting_pubrel.end(), id) != awaiting_pubrel.end();
}

bool Session::remove_awaiting_release(std::uint16_t id) {
    auto it = std::find(awaiting_pubrel.begin(), awaiting_pubrel.end(), id);
    if (it == awaiting_pubrel.end()) return false;
    *it = awaiting_pubrel.back();
    awaiting_pubrel.pop_back();
    return true;
}

}  // namespace akasa::broker
