// Value encodings of the store's records, one function pair per record kind. Every value
// starts with a version byte of its own kind; a decoder refuses versions it does not know
// (NotSupported) and malformed bytes (Corruption) rather than guessing. Fields that live in
// the key (topic of a retained message, client id, filter, seq, packet id) are not repeated.
// Byte layouts: docs/persistence.md, "Values".
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "store/records.h"
#include "store/status.h"

namespace akasa::store {

inline constexpr std::uint32_t kStoreFormatVersion = 1;  // the key schema's version
inline constexpr std::uint8_t kRetainedVersion = 1;
inline constexpr std::uint8_t kSessionVersion = 1;
inline constexpr std::uint8_t kSubscriptionVersion = 1;
inline constexpr std::uint8_t kQueuedVersion = 1;
inline constexpr std::uint8_t kInflightVersion = 1;
inline constexpr std::uint8_t kQos2ReceivedVersion = 1;

std::string encode_format_version(std::uint32_t version);
Status decode_format_version(std::string_view value, std::uint32_t* version);

// `message.topic` is not encoded (it is the key); decode leaves out->topic untouched.
std::string encode_retained(const MessageRecord& message);
Status decode_retained(std::string_view value, MessageRecord* out);

// `session.client_id` is not encoded; decode leaves out->client_id untouched.
std::string encode_session(const SessionRecord& session);
Status decode_session(std::string_view value, SessionRecord* out);

// `subscription.filter` is not encoded; decode leaves out->filter untouched.
std::string encode_subscription(const SubscriptionRecord& subscription);
Status decode_subscription(std::string_view value, SubscriptionRecord* out);

std::string encode_queued(const MessageRecord& message);
// Into `value`, replacing its content and keeping its capacity.
void encode_queued(const MessageRecord& message, std::string& value);
Status decode_queued(std::string_view value, MessageRecord* out);

// `inflight.packet_id` is not encoded; decode leaves out->packet_id untouched.
std::string encode_inflight(const InflightRecord& inflight);
void encode_inflight(const InflightRecord& inflight, std::string& value);
Status decode_inflight(std::string_view value, InflightRecord* out);

std::string encode_qos2_received();
Status decode_qos2_received(std::string_view value);

}  // namespace akasa::store
