// A session: the MQTT state of one client id that outlives its network connections
// (subscriptions, unacknowledged and queued messages, QoS 2 packet ids received, expiry,
// a delayed will). Owned by exactly one worker thread for its whole life; no locking.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "broker/routing/message.h"
#include "broker/routing/subscription.h"
#include "broker/session/outbox.h"
#include "mqtt/packets.h"

namespace akasa::broker {

class ClientConnection;

// Session Expiry Interval meaning "never expires" [MQTT-3.1.2-23 ... 3.1.2.11.2].
inline constexpr std::uint32_t kSessionNeverExpires = 0xFFFFFFFF;

struct StoredSubscription {
    mqtt::SubscriptionOptions options;
    std::uint32_t identifier = 0;
};

class Session {
  public:
    Session(SessionId id, std::string client_id) : id_(id), client_id_(std::move(client_id)) {}

    SessionId id() const { return id_; }
    const std::string& client_id() const { return client_id_; }

    // The small fields first, together: no padding between them (scenario e counts bytes).
    mqtt::ProtocolVersion version = mqtt::ProtocolVersion::V311;
    // Persistence: the session has a record in the store (persist_writer.h); false when
    // persistence is off or the session ends with its connection.
    bool stored = false;
    bool queue_overflow_reported = false;  // the overflow is logged once per episode
    // Listed in the broker's online members of shared groups (list_online_if_shared).
    bool listed_online = false;
    // Restored from a record written before sessions kept their owner: the next CONNECT
    // that resumes it becomes its owner.
    bool owner_unknown = false;
    std::uint32_t expiry_interval = 0;  // seconds; kSessionNeverExpires = never

    // The user the session belongs to: the (authenticated) User Name of the CONNECT that
    // created it; null when that CONNECT had none. Another user's CONNECT for this client id
    // is refused unless allow_session_takeover_by_other_user (Worker::finish_connect).
    std::unique_ptr<const std::string> owner;
    // True when a CONNECT with `username` may resume or replace this session.
    bool belongs_to(const std::optional<std::string>& username) const;

    // Filter (as subscribed, `$share/...` included) -> options; the index holds the same.
    std::map<std::string, StoredSubscription, std::less<>> subscriptions;
    Outbox outbox;
    // QoS 2 packet ids received (PUBREC sent) and not yet released by PUBREL
    // [MQTT-4.3.3-9]: a PUBLISH with one of these ids is not delivered again.
    std::vector<std::uint16_t> awaiting_pubrel;

    std::optional<Clock::time_point> expires_at;  // set while offline with a finite expiry

    // A will whose Will Delay Interval is running [MQTT-3.1.3-9].
    MessagePtr delayed_will;
    Clock::time_point delayed_will_at;

    ClientConnection* connection = nullptr;  // null while offline

    // Messages dropped because the queue was full.
    std::uint64_t queue_drops = 0;

    // Has a `$share/...` subscription (they sort together: one lookup).
    bool has_shared_subscription() const;
    bool awaiting_release(std::uint16_t id) const;
    void add_awaiting_release(std::uint16_t id) { awaiting_pubrel.push_back(id); }
    bool remove_awaiting_release(std::uint16_t id);

  private:
    SessionId id_;
    std::string client_id_;
};

}  // namespace akasa::broker
