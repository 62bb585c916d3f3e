// Start-up: everything the store holds is put back before the broker listens (Broker::start):
// retained messages into the retained store, each stored session onto the worker that owns
// its client id (the registry is claimed for it, so its client's next CONNECT is handed
// there), with its subscriptions in the index, its queue, its inflight messages and its QoS 2
// receive state. Expiry keeps counting across the downtime: sessions, wills and messages
// whose wall-clock deadline passed while the broker was down expire at once.
#pragma once

#include "broker/broker_context.h"

namespace akasa::broker {

// Reads the store of context.persistence (which must be set) into the engine; the workers
// must exist and not run yet. Throws std::runtime_error naming the store directory when the
// store cannot be read: a damaged store never becomes a silent empty start.
void recover_persistent_state(BrokerContext& context);

}  // namespace akasa::broker
