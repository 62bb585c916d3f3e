#include "broker/connection/accepted_requests.h"

#include "broker/broker_context.h"
#include "broker/persist/persist_writer.h"
#include "broker/routing/message.h"
#include "broker/worker/worker.h"

namespace akasa::broker {

bool publish_accepted(Worker& worker, const mqtt::Publish& publish, std::string_view topic,
                      SessionId publisher, bool all_or_nothing) {
    auto message = Message::from_publish(publish, topic, publisher, worker.now());
    if (publish.retain && !worker.store_retained(message) && all_or_nothing) return false;
    worker.route(message);
    return true;
}

SubscribeResult subscribe_accepted(Worker& worker, Session& session, std::string_view filter,
                                   const StoredSubscription& stored) {
    Subscription entry;
    entry.session = session.id();
    entry.identifier = stored.identifier;
    entry.qos = static_cast<std::uint8_t>(stored.options.qos);
    entry.no_local = stored.options.no_local;
    entry.retain_as_published = stored.options.retain_as_published;
    entry.retain_handling = stored.options.retain_handling;
    const auto result = worker.context().subscriptions.subscribe(filter, entry);
    session.subscriptions[std::string(filter)] = stored;
    worker.list_online_if_shared(session);
    worker.persist().subscribed(session, filter, stored);
    return result;
}

bool unsubscribe_accepted(Worker& worker, Session& session, std::string_view filter) {
    auto it = session.subscriptions.find(filter);
    if (it == session.subscriptions.end()) return false;
    session.subscriptions.erase(it);
    worker.persist().unsubscribed(session, filter);
    return worker.context().subscriptions.unsubscribe(filter, session.id());
}

}  // namespace akasa::broker
