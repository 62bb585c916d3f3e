// A CONNACK that fits the client's Maximum Packet Size (MQTT 5). The server must not send
// a packet larger than that [MQTT-3.1.2-24]; of a CONNACK it may leave out only what is
// optional to send: the Reason String [MQTT-3.2.2-19], the User Properties [MQTT-3.2.2-20]
// and the Response Information (which the server MAY return, spec 3.1.2.11.6). The rest
// (assigned client id, limits the client must respect, authentication) cannot go, so a
// CONNACK still too large is not sent and the connection is closed at once, with a log
// line, instead of leaving the client waiting for a CONNACK that never comes.
//
//   std::size_t size = 0;
//   if (!mqtt5::fit_connack(connack, client_limit, size)) close_without_connack();
#pragma once

#include <cstddef>
#include <cstdint>

#include "mqtt/packets.h"

namespace akasa::broker::mqtt5 {

// Drops optional properties from `connack`, in the order above and only while it is larger
// than `limit`; `size` is its encoded size after that. True when it fits.
bool fit_connack(mqtt::Connack& connack, std::uint32_t limit, std::size_t& size);

}  // namespace akasa::broker::mqtt5
