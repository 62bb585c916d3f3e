// config::MemoryLimits in the form the engine checks them: 0 ("no limit") read as the
// largest value, so that each check on the message path is one comparison, and the point
// where a connection's output makes it stop reading derived from the output limit.
//
//   MessagePathLimits limits(config.memory_limits, ConnectionFlow::kOutputPause);
//   if (pending + size > limits.output) ...
#pragma once

#include <cstddef>

#include "broker/routing/retained_store.h"
#include "config/config.h"
#include "mqtt/decoder.h"

namespace akasa::broker {

struct MessagePathLimits {
    // `output_pause`: where reading and the publishers pause (ConnectionFlow::kOutputPause),
    // lowered to half of max_output_buffer_bytes when that is less, so that QoS 0 already on
    // its way still has room before it is dropped.
    MessagePathLimits(const config::MemoryLimits& limits, std::size_t output_pause);

    std::size_t output;             // max_output_buffer_bytes
    std::size_t output_pause;       // see the constructor
    std::size_t queue_bytes;        // max_in_mem_pending_bytes
    std::size_t queue_bytes_total;  // max_in_mem_pending_bytes_total
    std::size_t topic_alias_bytes;  // max_topic_alias_bytes
    std::size_t subscriptions;      // max_subscriptions_per_client
    std::size_t client_id_length;   // max_client_id_length
    RetainedLimits retained;        // max_retained_messages, max_retained_bytes
    mqtt::DecodeLimits decode;      // max_user_properties, max_user_property_bytes
};

}  // namespace akasa::broker
