#include "broker/mqtt5/mqtt5_reason_strings.h"

namespace akasa::broker::mqtt5 {

using mqtt::ReasonCode;

std::string_view subscribe_refusal_text(ReasonCode reason) {
    switch (reason) {
        case ReasonCode::TopicFilterInvalid:
            return "invalid topic filter (wildcards must fill whole levels, # only last), or "
                   "over max_topic_levels / max_topic_length";
        case ReasonCode::SharedSubscriptionsNotSupported:
            return "shared subscriptions are off on this server "
                   "(shared_subscription_available: false)";
        case ReasonCode::WildcardSubscriptionsNotSupported:
            return "wildcard subscriptions are off on this server "
                   "(wildcard_subscription_available: false)";
        case ReasonCode::NotAuthorized:
            return "not authorized to subscribe to this filter";
        case ReasonCode::QuotaExceeded:
            return "this client holds as many subscriptions as the server allows "
                   "(max_subscriptions_per_client)";
        default:
            return mqtt::to_string(reason);
    }
}

}  // namespace akasa::broker::mqtt5
