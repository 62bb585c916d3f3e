#include "broker/session/session.h"

#include <algorithm>

namespace akasa::broker {

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
