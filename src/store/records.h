// What the store persists, as plain owned values. The store knows nothing of the broker's
// types: the engine converts its sessions and messages into these records and back.
// Byte layouts are in docs/persistence.md.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace akasa::store {

// Wall-clock time with millisecond resolution: deadlines and timestamps are stored as wall
// time so that expiry keeps counting while the broker is down (a steady clock restarts).
using WallClock = std::chrono::system_clock;
using WallTime = std::chrono::time_point<WallClock, std::chrono::milliseconds>;

inline WallTime wall_now() {
    return std::chrono::time_point_cast<std::chrono::milliseconds>(WallClock::now());
}

// An application message: a retained message, a queued message of an offline session or an
// unacknowledged outbound one. `properties` is opaque to the store: the engine's encoding of
// the v5 properties it forwards (for a queued message, including subscription identifiers).
struct MessageRecord {
    std::string topic;
    std::string payload;
    std::uint8_t qos = 0;  // 0..2; for queued and inflight messages: the delivery QoS
    bool retain = false;
    std::string properties;
    std::optional<WallTime> expires_at;  // Message Expiry Interval as a deadline; none: never

    bool operator==(const MessageRecord&) const = default;
};

// The will of a session, published `delay_interval_s` after the session's network connection
// closes (or when the session ends, whichever comes first).
struct WillRecord {
    std::string topic;
    std::string payload;
    std::uint8_t qos = 0;
    bool retain = false;
    std::string properties;
    std::uint32_t delay_interval_s = 0;
    // Message Expiry Interval of the will, counted from its publication; none: never expires.
    std::optional<std::uint32_t> message_expiry_interval_s;

    bool operator==(const WillRecord&) const = default;
};

// A persistent session (one that outlives its connection).
struct SessionRecord {
    std::string client_id;              // at most 65535 bytes (an MQTT string)
    std::uint8_t protocol_version = 4;  // 3 (3.1), 4 (3.1.1) or 5
    std::uint32_t expiry_interval_s = 0;
    // When the network connection ended; none while connected (after a crash the engine
    // counts from its restart time, or from the time it chooses, see docs/persistence.md).
    std::optional<WallTime> disconnected_at;
    std::optional<WillRecord> will;
    // The user the session belongs to (its creating CONNECT's User Name; none: no User Name).
    // owner_known is false for records written before owners were kept.
    bool owner_known = true;
    std::optional<std::string> owner;

    bool operator==(const SessionRecord&) const = default;
};

struct SubscriptionRecord {
    std::string filter;  // may be a shared subscription ("$share/group/filter")
    std::uint8_t qos = 0;
    bool no_local = false;
    bool retain_as_published = false;
    std::uint8_t retain_handling = 0;         // 0..2
    std::optional<std::uint32_t> identifier;  // 1..268435455

    bool operator==(const SubscriptionRecord&) const = default;
};

// A message waiting for an offline session. `seq` orders the queue (the engine allocates it,
// increasing per session); recovery returns a session's queue sorted by seq.
struct QueuedMessage {
    std::uint64_t seq = 0;
    MessageRecord message;

    bool operator==(const QueuedMessage&) const = default;
};

// Where an outbound QoS 1/2 delivery stands.
enum class InflightState : std::uint8_t {
    PublishSent = 1,  // PUBLISH sent, PUBACK/PUBREC awaited: resend the message with DUP
    PubrelSent = 2,   // QoS 2: PUBREC received and PUBREL sent, PUBCOMP awaited: resend PUBREL
};

struct InflightRecord {
    std::uint16_t packet_id = 0;  // 1..65535
    InflightState state = InflightState::PublishSent;
    MessageRecord message;  // PublishSent only; empty for PubrelSent

    bool operator==(const InflightRecord&) const = default;
};

// Everything stored for one session, as recovery hands it back.
struct SessionState {
    SessionRecord session;
    std::vector<SubscriptionRecord> subscriptions;  // sorted by filter bytes
    std::vector<QueuedMessage> queue;               // sorted by seq
    std::vector<InflightRecord> inflight;           // sorted by packet id
    // QoS 2 PUBLISHes received from this client whose PUBREL has not arrived yet
    // [MQTT-4.3.3-9]: a resent PUBLISH with one of these ids must not be delivered again.
    std::vector<std::uint16_t> qos2_received;  // sorted

    bool operator==(const SessionState&) const = default;
};

}  // namespace akasa::store
