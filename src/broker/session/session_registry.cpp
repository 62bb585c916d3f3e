#include "broker/session/session_registry.h"

namespace akasa::broker {

std::uint32_t SessionRegistry::claim(std::string_view client_id, std::uint32_t worker) {
    std::lock_guard lock(mutex_);
    auto it = owners_.find(client_id);
    if (it != owners_.end()) return it->second;
    owners_.emplace(std::string(client_id), worker);
    return worker;
}

void SessionRegistry::release(std::string_view client_id, std::uint32_t worker) {
    std::lock_guard lock(mutex_);
    auto it = owners_.find(client_id);
    if (it != owners_.end() && it->second == worker) owners_.erase(it);
}

std::size_t SessionRegistry::size() const {
    std::lock_guard lock(mutex_);
    return owners_.size();
}

}  // namespace akasa::broker
