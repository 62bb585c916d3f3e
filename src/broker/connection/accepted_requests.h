// What an accepted PUBLISH, SUBSCRIBE or UNSUBSCRIBE changes in the broker, shared by a
// client's own packets (client_connection.cpp) and the actions hooks take on behalf of its
// session (connection_hooks.cpp). Both therefore reach the retained store, the subscription
// index, the session and the persistent store (persist_writer.h) the same way; before this
// was shared, hook actions skipped the persistent store and were lost on a restart.
// Validation and acknowledgements stay with the callers: they differ (a client gets a
// reason code, a hook action a log line); a subscription's rules are shared too
// (subscription_admission.h).
#pragma once

#include <string_view>

#include "broker/routing/subscription.h"
#include "broker/session/session.h"
#include "mqtt/packets.h"

namespace akasa::broker {

class Worker;

// A PUBLISH from `publisher` that passed every check: the retained store (an empty payload
// clears the topic [MQTT-3.3.1-6/7]) and its stored copy when publish.retain, then routing
// (which stores queued copies for stored sessions). A retained message the retained store
// refuses (max_retained_messages / max_retained_bytes: Worker::store_retained) is not
// stored; with `all_or_nothing` the PUBLISH is then not routed either and false is returned
// (the caller refuses it), otherwise it is routed to the current subscribers.
bool publish_accepted(Worker& worker, const mqtt::Publish& publish, std::string_view topic,
                      SessionId publisher, bool all_or_nothing = false);

// A subscription that passed every check: into the index, the session and the store.
// Returns what the index did (Retain Handling 1 needs it [MQTT-3.3.1-10]).
SubscribeResult subscribe_accepted(Worker& worker, Session& session, std::string_view filter,
                                   const StoredSubscription& stored);

// Removes the session's subscription to `filter` from the session, the store and the index;
// false when the session had none.
bool unsubscribe_accepted(Worker& worker, Session& session, std::string_view filter);

}  // namespace akasa::broker
