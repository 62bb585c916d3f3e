// ClientAcl: one client's ACL rules, bound once (its section found, `%u` / `%c` substituted
// in every pattern) and bound again only when the ACL file was reloaded. The engine keeps
// one per connected client, so checking a delivery allocates nothing. Not thread-safe: it
// belongs to the worker thread owning the client.
//
//   ClientAcl acl;
//   if (!acl.check(store, username, client_id, message_topic, Access::Read)) skip it;
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

#include "hook/acl/acl_rules.h"
#include "hook/acl/acl_store.h"

namespace akasa::hook::acl {

class ClientAcl {
  public:
    // `username` and `client_id` must be the same on every call (they identify the client).
    bool check(const AclStore& store, std::optional<std::string_view> username,
               std::string_view client_id, std::string_view topic_or_filter, Access access);

  private:
    std::uint64_t generation_ = 0;
    std::shared_ptr<const AclRules> rules_;  // keeps bound_.section valid
    BoundRules bound_;
};

}  // namespace akasa::hook::acl
