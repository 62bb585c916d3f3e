// The memory limits a client can run into (config::MemoryLimits, docs/security.md "Limits"),
// named by their config key: the label of akasa_limit_hits_total and the key each log line
// names, so an operator sees which limit was hit and which key to change.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace akasa::broker {

enum class MemoryLimit : std::uint8_t {
    OutputBuffer,       // max_output_buffer_bytes: a QoS 0 message dropped for a full output
    PendingBytes,       // max_in_mem_pending_bytes: a message dropped for a full queue
    PendingBytesTotal,  // max_in_mem_pending_bytes_total: dropped, all queues together full
    UserProperties,     // max_user_properties: a packet refused
    UserPropertyBytes,  // max_user_property_bytes: a packet refused
    TopicAliasBytes,    // max_topic_alias_bytes: a connection closed
    ClientIdLength,     // max_client_id_length: a CONNECT refused
    Subscriptions,      // max_subscriptions_per_client: a subscription refused
    RetainedMessages,   // max_retained_messages: a retained message not stored
    RetainedBytes,      // max_retained_bytes: a retained message not stored
};
inline constexpr std::size_t kMemoryLimitCount = 10;

// The config key of `limit` ("max_output_buffer_bytes", ...).
constexpr std::string_view config_key(MemoryLimit limit) {
    switch (limit) {
        case MemoryLimit::OutputBuffer:
            return "max_output_buffer_bytes";
        case MemoryLimit::PendingBytes:
            return "max_in_mem_pending_bytes";
        case MemoryLimit::PendingBytesTotal:
            return "max_in_mem_pending_bytes_total";
        case MemoryLimit::UserProperties:
            return "max_user_properties";
        case MemoryLimit::UserPropertyBytes:
            return "max_user_property_bytes";
        case MemoryLimit::TopicAliasBytes:
            return "max_topic_alias_bytes";
        case MemoryLimit::ClientIdLength:
            return "max_client_id_length";
        case MemoryLimit::Subscriptions:
            return "max_subscriptions_per_client";
        case MemoryLimit::RetainedMessages:
            return "max_retained_messages";
        case MemoryLimit::RetainedBytes:
            return "max_retained_bytes";
    }
    return "?";
}

// A configured limit where 0 means "no limit": the largest value instead, so that the
// check on the message path is one comparison.
constexpr std::uint64_t or_unlimited(std::uint64_t configured) {
    return configured == 0 ? UINT64_MAX : configured;
}

}  // namespace akasa::broker
