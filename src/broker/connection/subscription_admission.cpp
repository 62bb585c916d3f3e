#include "broker/connection/subscription_admission.h"

#include <fmt/format.h>

#include <algorithm>

#include "broker/config_generation.h"
#include "broker/connection/accepted_requests.h"
#include "broker/topic_limits.h"
#include "broker/worker/worker.h"
#include "mqtt/topic.h"

namespace akasa::broker {

using mqtt::ReasonCode;

std::optional<std::string> filter_refusal(const TopicLimits& limits, std::string_view filter) {
    if (!mqtt::validate_topic_filter(filter)) {
        return fmt::format("\"{}\" is not a valid topic filter", topic_for_log(filter));
    }
    if (const auto breach = limits.check_filter(filter)) {
        return fmt::format("\"{}\" has {}", topic_for_log(filter), breach->describe());
    }
    return std::nullopt;
}

Admission admit_subscription(Worker& worker, const ConfigGeneration& settings, Session& session,
                             const SubscriptionRequest& request) {
    const auto& config = settings.config;
    const std::string_view filter = request.filter;
    Admission admission;
    auto refuse = [&](ReasonCode code, std::string why) {
        admission.refusal = code;
        admission.why = std::move(why);
        return admission;
    };
    if (auto why = filter_refusal(settings.topic_limits, filter)) {
        return refuse(ReasonCode::TopicFilterInvalid, std::move(*why));
    }
    const auto shared = mqtt::parse_shared_subscription(filter);
    if (shared && !config.shared_subscription_available) {
        return refuse(ReasonCode::SharedSubscriptionsNotSupported,
                      fmt::format("\"{}\" is a shared subscription, which is off "
                                  "(shared_subscription_available: false)",
                                  topic_for_log(filter)));
    }
    mqtt::SubscriptionOptions options = request.options;
    if (shared && options.no_local) {
        if (request.shared_no_local == SharedNoLocal::ProtocolError) {
            return refuse(ReasonCode::ProtocolError,
                          "No Local on a shared subscription [MQTT-3.8.3-4]");
        }
        options.no_local = false;
    }
    const std::string_view plain = shared ? shared->filter : filter;
    if (!config.wildcard_subscription_available &&
        plain.find_first_of("+#") != std::string_view::npos) {
        return refuse(ReasonCode::WildcardSubscriptionsNotSupported,
                      fmt::format("\"{}\" has wildcards, which are off "
                                  "(wildcard_subscription_available: false)",
                                  topic_for_log(filter)));
    }
    if (session.subscriptions.size() >= settings.limits.subscriptions &&
        !session.subscriptions.contains(filter)) {
        // A new filter past max_subscriptions_per_client (replacing one always works).
        worker.limit_hit(MemoryLimit::Subscriptions,
                         "refused a subscription of client {} to {}: it holds {} subscriptions",
                         session.client_id(), filter.substr(0, 128), session.subscriptions.size());
        return refuse(ReasonCode::QuotaExceeded, {});
    }
    options.qos = static_cast<mqtt::QoS>(
        std::min<std::uint8_t>(static_cast<std::uint8_t>(options.qos), config.max_allowed_qos));
    admission.stored = StoredSubscription{options, request.identifier};
    const auto result = subscribe_accepted(worker, session, filter, admission.stored);
    // Retained messages: never for a shared subscription [MQTT-3.8.4]; with Retain Handling 0
    // always, 1 only for a new subscription, 2 never [MQTT-3.3.1-9..11].
    const auto rh = options.retain_handling;
    admission.retained_due = !shared && (rh == 0 || (rh == 1 && result == SubscribeResult::kAdded));
    return admission;
}

}  // namespace akasa::broker
