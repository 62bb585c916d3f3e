// Internal to the config module: the memory limit keys of the top-level map (ours, not
// Akasa's): max_output_buffer_bytes, max_in_mem_pending_bytes, max_user_properties,
// max_user_property_bytes, max_topic_alias_bytes, max_client_id_length,
// max_subscriptions_per_client, max_retained_messages, max_retained_bytes
// (docs/configuration.md, docs/security.md).
#pragma once

#include "config/config.h"
#include "config/yaml_reader.h"

namespace akasa::config::detail {

// Fills config.memory_limits from `top`; a bad value is a ConfigError naming the key
// (`max_client_id_length: 10 is below 23: ...`).
void read_memory_limits(ErrorContext& ctx, const MapReader& top, MemoryLimits& limits);

}  // namespace akasa::config::detail
