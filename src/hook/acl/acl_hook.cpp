#include "hook/acl/acl_hook.h"

namespace akasa::hook::acl {

Outcome AclHook::before_connect(HookCall& call, mqtt::Connect& connect) {
    if (!connect.will) return {};
    const SessionInfo& s = call.session();
    if (store_->rules()->check(s.username, s.client_id, connect.will->topic, Access::Write)) {
        return {};
    }
    return Decision::refuse(mqtt::ReasonCode::NotAuthorized, "will topic not authorized");
}

Outcome AclHook::before_publish(HookCall& call, mqtt::Publish& publish) {
    const SessionInfo& s = call.session();
    if (store_->rules()->check(s.username, s.client_id, publish.topic, Access::Write)) return {};
    return Decision::refuse(mqtt::ReasonCode::NotAuthorized);
}

Outcome AclHook::before_subscribe(HookCall& call, mqtt::Subscribe& subscribe,
                                  std::span<mqtt::ReasonCode> reasons) {
    const SessionInfo& s = call.session();
    const auto rules = store_->rules();  // one snapshot for the whole packet
    for (std::size_t i = 0; i < subscribe.topics.size() && i < reasons.size(); ++i) {
        if (mqtt::is_error(reasons[i])) continue;
        if (!rules->check(s.username, s.client_id, subscribe.topics[i].filter, Access::Subscribe)) {
            reasons[i] = mqtt::ReasonCode::NotAuthorized;
        }
    }
    return {};
}

bool AclHook::can_deliver(const SessionInfo& session, std::string_view topic) const {
    return store_->rules()->check(session.username, session.client_id, topic, Access::Read);
}

}  // namespace akasa::hook::acl
