#include "config/memory_limits_reader.h"

#include <fmt/format.h>

#include <limits>

namespace akasa::config::detail {
namespace {

constexpr std::uint64_t kU16Max = std::numeric_limits<std::uint16_t>::max();
constexpr std::uint64_t kU32Max = std::numeric_limits<std::uint32_t>::max();
constexpr std::uint64_t kU64Max = std::numeric_limits<std::uint64_t>::max();
// Below this an output buffer holds too few packets to keep a busy client's socket fed.
constexpr std::uint64_t kMinOutputBufferBytes = 64 * 1024;
// A server must accept client ids of 1 to 23 bytes [MQTT-3.1.3-5].
constexpr std::uint64_t kMinClientIdLimit = 23;

}  // namespace

void read_memory_limits(ErrorContext& ctx, const MapReader& top, MemoryLimits& limits) {
    top.read("max_output_buffer_bytes", limits.max_output_buffer_bytes, kMinOutputBufferBytes,
             kU32Max);
    top.read("max_in_mem_pending_bytes", limits.max_in_mem_pending_bytes, 0, kU64Max);
    top.read("max_in_mem_pending_bytes_total", limits.max_in_mem_pending_bytes_total, 0, kU64Max);
    top.read("max_user_properties", limits.max_user_properties, 0, kU32Max);
    top.read("max_user_property_bytes", limits.max_user_property_bytes, 0, kU32Max);
    top.read("max_topic_alias_bytes", limits.max_topic_alias_bytes, 0, kU32Max);
    top.read("max_client_id_length", limits.max_client_id_length, 0, kU16Max);
    if (limits.max_client_id_length != 0 && limits.max_client_id_length < kMinClientIdLimit) {
        ctx.fail(top.get("max_client_id_length"), "max_client_id_length",
                 fmt::format("{} is below 23: MQTT requires a server to accept client ids of 1 "
                             "to 23 bytes [MQTT-3.1.3-5]; use 0 for no limit",
                             limits.max_client_id_length));
    }
    top.read("max_subscriptions_per_client", limits.max_subscriptions_per_client, 0, kU32Max);
    top.read("max_retained_messages", limits.max_retained_messages, 0, kU64Max);
    top.read("max_retained_bytes", limits.max_retained_bytes, 0, kU64Max);
}

}  // namespace akasa::config::detail
