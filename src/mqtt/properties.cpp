#include "mqtt/properties.h"

namespace akasa::mqtt {

namespace {

// Applies `f` to every single-valued member; keeps empty() and clear() in step with the struct.
template <typename P, typename F>
void for_each_optional(P& p, F&& f) {
    f(p.payload_format_indicator);
    f(p.message_expiry_interval);
    f(p.content_type);
    f(p.response_topic);
    f(p.correlation_data);
    f(p.session_expiry_interval);
    f(p.assigned_client_identifier);
    f(p.server_keep_alive);
    f(p.authentication_method);
    f(p.authentication_data);
    f(p.request_problem_information);
    f(p.will_delay_interval);
    f(p.request_response_information);
    f(p.response_information);
    f(p.server_reference);
    f(p.reason_string);
    f(p.receive_maximum);
    f(p.topic_alias_maximum);
    f(p.topic_alias);
    f(p.maximum_qos);
    f(p.retain_available);
    f(p.maximum_packet_size);
    f(p.wildcard_subscription_available);
    f(p.subscription_identifier_available);
    f(p.shared_subscription_available);
}

}  // namespace

bool Properties::empty() const {
    bool any = !user_properties.empty() || !subscription_identifiers.empty();
    for_each_optional(*this, [&](const auto& member) { any |= member.has_value(); });
    return !any;
}

void Properties::clear() {
    // Reset in place, keeping the vectors' storage: a reused packet decodes without allocating.
    for_each_optional(*this, [](auto& member) { member.reset(); });
    user_properties.clear();
    subscription_identifiers.clear();
}

}  // namespace akasa::mqtt
