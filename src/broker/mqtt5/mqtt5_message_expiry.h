// Message Expiry of wills (MQTT 5): the Will Properties' Message Expiry Interval is "sent as
// the Publication Expiry Interval when the Server publishes the Will Message" (spec
// 3.1.3.2.4), so it counts from the publication, not from the CONNECT that carried it.
// Message::from_will keeps the interval aside (will_expiry_interval); the copy published
// gets its expiry time here.
#pragma once

#include "broker/routing/message.h"

namespace akasa::broker::mqtt5 {

// The will as published at `now`: itself when it has no Message Expiry Interval, else a copy
// that expires the interval after `now`.
MessagePtr will_at_publication(const MessagePtr& will, Clock::time_point now);

}  // namespace akasa::broker::mqtt5
