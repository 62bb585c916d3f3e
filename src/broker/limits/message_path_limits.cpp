#include "broker/limits/message_path_limits.h"

#include <algorithm>
#include <cstdint>
#include <limits>

#include "broker/limits/memory_limit.h"

namespace akasa::broker {
namespace {

std::size_t limit_of(std::uint64_t configured) {
    return static_cast<std::size_t>(
        std::min<std::uint64_t>(or_unlimited(configured), std::numeric_limits<std::size_t>::max()));
}

std::uint32_t limit32_of(std::uint32_t configured) {
    return configured == 0 ? std::numeric_limits<std::uint32_t>::max() : configured;
}

}  // namespace

MessagePathLimits::MessagePathLimits(const config::MemoryLimits& limits, std::size_t pause)
    : output(limit_of(limits.max_output_buffer_bytes)),
      output_pause(std::min(pause, output / 2)),
      queue_bytes(limit_of(limits.max_in_mem_pending_bytes)),
      queue_bytes_total(limit_of(limits.max_in_mem_pending_bytes_total)),
      topic_alias_bytes(limit_of(limits.max_topic_alias_bytes)),
      subscriptions(limit_of(limits.max_subscriptions_per_client)),
      client_id_length(limit_of(limits.max_client_id_length)),
      retained{limit_of(limits.max_retained_messages), limit_of(limits.max_retained_bytes)},
      decode{limit32_of(limits.max_user_properties), limit32_of(limits.max_user_property_bytes)} {}

}  // namespace akasa::broker
