// A connection's hook state, allocated at CONNECT only when some hook is configured (so a
// server without hooks carries one null pointer per connection): the SessionInfo hooks see
// (views into strings owned here), the client's bound ACL rules, and the packet parked while
// a before_* hook answers asynchronously.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "broker/connection/connect_request.h"
#include "broker/routing/message.h"
#include "hook/acl/acl_client.h"
#include "hook/hook.h"
#include "hook/hook_chain.h"
#include "mqtt/decoder.h"
#include "mqtt/packets.h"

namespace akasa::broker {

// A packet whose before_* hook chain waits for an asynchronous answer. Owns everything: the
// connection reads nothing more from its client until the answer (or the timeout) comes.
struct ParkedPacket {
    std::uint64_t call_id = 0;
    hook::HookPoint point = hook::HookPoint::BeforeConnect;
    Clock::time_point deadline;

    // CONNECT and PUBLISH are decoded again from a copy of their bytes on resume.
    mqtt::FixedHeader header;
    std::vector<std::uint8_t> body;
    std::optional<ConnectRequest> request;  // CONNECT: what the engine settled so far

    // PUBLISH as the hooks before the pending one left it.
    std::string topic;
    std::string payload;
    bool changed = false;

    // SUBSCRIBE / UNSUBSCRIBE: the packet rebuilt from owned filters, and the reasons so far.
    std::uint16_t packet_id = 0;
    std::vector<std::string> filters;
    std::vector<mqtt::SubscriptionOptions> options;
    std::vector<std::uint32_t> subscription_identifiers;
    std::vector<mqtt::ReasonCode> reasons;
};

// An after_* chain waiting for an asynchronous answer: what it was called with, owned, so
// the hooks after the pending one can be called once it answered.
struct AfterCall {
    hook::HookPoint point = hook::HookPoint::AfterConnect;
    bool session_present = false;  // after_connect
    std::string topic;             // after_publish
    std::string payload;
    mqtt::QoS qos = mqtt::QoS::AtMostOnce;
    bool retain = false;
    bool changed = false;
    std::uint16_t packet_id = 0;  // after_subscribe / after_unsubscribe
    std::vector<std::string> filters;
    std::vector<mqtt::SubscriptionOptions> options;
    std::vector<std::uint8_t> codes;
};

class HookSession {
  public:
    HookSession(std::string client_id, std::optional<std::string> username, std::string peer,
                std::string listener, std::optional<std::string> tls_peer_subject,
                mqtt::ProtocolVersion version)
        : client_id_(std::move(client_id)),
          username_(std::move(username)),
          peer_(std::move(peer)),
          listener_(std::move(listener)),
          tls_peer_subject_(std::move(tls_peer_subject)) {
        info_.client_id = client_id_;
        if (username_) info_.username = *username_;
        info_.version = version;
        info_.peer_address = peer_;
        if (tls_peer_subject_) info_.tls_peer_subject = *tls_peer_subject_;
        info_.listener = listener_;
        info_.acl_cache = &acl_;
    }
    HookSession(const HookSession&) = delete;
    HookSession& operator=(const HookSession&) = delete;

    const hook::SessionInfo& info() const { return info_; }

    std::optional<ParkedPacket> parked;
    std::unordered_map<std::uint64_t, AfterCall> after_calls;  // by call id

  private:
    std::string client_id_;
    std::optional<std::string> username_;
    std::string peer_;
    std::string listener_;
    std::optional<std::string> tls_peer_subject_;
    hook::acl::ClientAcl acl_;
    hook::SessionInfo info_;  // views into the strings above
};

}  // namespace akasa::broker
