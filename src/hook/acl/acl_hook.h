// AclHook: the ACL file applied through the hook interface.
//  - before_connect: a will whose topic the client may not write refuses the CONNECT with
//    NotAuthorized (otherwise a will would be a way around the publish ACL);
//  - before_publish: a topic the client may not write refuses the PUBLISH with NotAuthorized
//    (0x87). The engine answers v5 PUBACK/PUBREC with 0x87 and drops it silently in 3.x;
//  - before_subscribe: each filter the client may not subscribe to is refused with
//    NotAuthorized (the engine sends 0x80 in a 3.x SUBACK);
//  - can_deliver(): the Read check the engine makes for every message it is about to send
//    to a client, retained and queued messages included.
//
//   auto store = std::make_shared<acl::AclStore>(acl::AclRules::load(path), path);
//   auto acl = std::make_shared<acl::AclHook>(store);
//   chain.add(acl);
//   if (!acl->can_deliver(session, message_topic)) skip this subscriber;
#pragma once

#include <memory>

#include "hook/acl/acl_store.h"
#include "hook/hook.h"

namespace akasa::hook::acl {

class AclHook : public Hook {
  public:
    explicit AclHook(std::shared_ptr<AclStore> store) : store_(std::move(store)) {}

    std::string_view name() const override { return "acl_file"; }
    HookPointSet points() const override {
        return bit(HookPoint::BeforeConnect) | bit(HookPoint::BeforePublish) |
               bit(HookPoint::BeforeSubscribe);
    }

    Outcome before_connect(HookCall& call, mqtt::Connect& connect) override;
    Outcome before_publish(HookCall& call, mqtt::Publish& publish) override;
    Outcome before_subscribe(HookCall& call, mqtt::Subscribe& subscribe,
                             std::span<mqtt::ReasonCode> reasons) override;

    bool can_deliver(const SessionInfo& session, std::string_view topic) const;

    AclStore& store() { return *store_; }

  private:
    // Through the session's ClientAcl when the engine provides one (no allocation).
    bool allowed(const SessionInfo& session, std::string_view target, Access access) const;

    std::shared_ptr<AclStore> store_;
};

}  // namespace akasa::hook::acl
