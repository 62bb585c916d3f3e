#include "hook/acl/acl_hook.h"

#include "hook/acl/acl_client.h"

namespace akasa::hook::acl {

bool AclHook::allowed(const SessionInfo& s, std::string_view target, Access access) const {
    if (s.acl_cache) return s.acl_cache->check(*store_, s.username, s.client_id, target, access);
    return store_->rules()->check(s.username, s.client_id, target, access);
}

Outcome AclHook::before_connect(HookCall& call, mqtt::Connect& connect) {
    if (!connect.will) return {};
    const SessionInfo& s = call.session();
    if (allowed(s, connect.will->topic, Access::Write)) return {};
    return Decision::refuse(mqtt::ReasonCode::NotAuthorized, "will topic not authorized");
}

Outcome AclHook::before_publish(HookCall& call, mqtt::Publish& publish) {
    const SessionInfo& s = call.session();
    if (allowed(s, publish.topic, Access::Write)) return {};
    return Decision::refuse(mqtt::ReasonCode::NotAuthorized);
}

Outcome AclHook::before_subscribe(HookCall& call, mqtt::Subscribe& subscribe,
                                  std::span<mqtt::ReasonCode> reasons) {
    const SessionInfo& s = call.session();
    for (std::size_t i = 0; i < subscribe.topics.size() && i < reasons.size(); ++i) {
        if (mqtt::is_error(reasons[i])) continue;
        if (!allowed(s, subscribe.topics[i].filter, Access::Subscribe)) {
            reasons[i] = mqtt::ReasonCode::NotAuthorized;
        }
    }
    return {};
}

bool AclHook::can_deliver(const SessionInfo& session, std::string_view topic) const {
    return allowed(session, topic, Access::Read);
}

}  // namespace akasa::hook::acl
