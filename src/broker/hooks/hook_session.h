// A connection's hook state, allocated at CONNECT only when some hook is configured (so a
// server without hooks carries one null pointer per connection): the SessionInfo hooks see
// (views into strings owned here), the client's bound ACL rules, and the packet parked while
// a before_* hook answers asynchronously.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <type_traits>
#include <unordered_map>
#include <variant>

#include "broker/hooks/hook_points.h"
#include "hook/acl/acl_client.h"
#include "hook/hook.h"

namespace akasa::broker {

// A packet whose before_* hook chain waits for an asynchronous answer. Owns everything: the
// connection reads nothing more from its client until the answer (or the timeout) comes.
struct ParkedPacket {
    std::uint64_t call_id = 0;
    std::variant<ConnectPoint::Parked, PublishPoint::Parked, SubscribePoint::Parked,
                 UnsubscribePoint::Parked>
        packet;

    hook::HookPoint point() const {
        return std::visit([](const auto& p) { return std::decay_t<decltype(p)>::Point::kPoint; },
                          packet);
    }
};

// An after_* chain waiting for an asynchronous answer: what it was called with, owned, so
// the hooks after the pending one can be called once it answered.
using AfterCall = std::variant<AfterConnectPoint::Owned, AfterPublishPoint::Owned,
                               AfterSubscribePoint::Owned, AfterUnsubscribePoint::Owned>;

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
