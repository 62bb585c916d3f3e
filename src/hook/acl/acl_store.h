// AclStore: the current AclRules, shared by every worker and replaced whole on reload
// (SIGHUP). Readers take a snapshot (one atomic shared_ptr load) and keep using it even if a
// reload happens meanwhile; a file that fails to load leaves the old rules in place.
//
//   auto store = std::make_shared<AclStore>(AclRules::load(path), path);
//   ...on SIGHUP:  if (auto error = store->reload()) spdlog::error("{}", *error);
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "hook/acl/acl_rules.h"

namespace akasa::hook::acl {

class AclStore {
  public:
    AclStore(AclRules rules, std::string path);

    std::shared_ptr<const AclRules> rules() const { return rules_.load(std::memory_order_acquire); }
    // Changes with every replace(): a cache of bound rules (ClientAcl) compares it, one
    // atomic load, instead of loading the shared_ptr on every check.
    std::uint64_t generation() const { return generation_.load(std::memory_order_acquire); }
    const std::string& path() const { return path_; }

    // Loads the file again. On success swaps the rules in and returns nullopt; on failure
    // keeps the old rules and returns the error message (which names the line).
    std::optional<std::string> reload();
    void replace(AclRules rules);
    // The rules of another file (acl_file changed on SIGHUP); reload() reads `path` from now
    // on. Like reload() and path(), on one thread only (the server's main thread).
    void replace(AclRules rules, std::string path);

  private:
    std::atomic<std::shared_ptr<const AclRules>> rules_;
    std::atomic<std::uint64_t> generation_{0};
    std::string path_;
};

}  // namespace akasa::hook::acl
