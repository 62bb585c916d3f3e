// The hook layer as the engine sees it: the HookChain built at start from the config (the
// plugins of `plugins:` in order, then the ACL of `acl_file`), the ACL store SIGHUP
// reloads, and the asynchronous answer timeout. Shared by every worker; read-only once the
// workers run (the ACL store swaps its rules atomically).
//
//   auto hooks = std::make_unique<HookServices>(config);  // throws HookStartError
//   if (hooks->chain.any_for(HookPoint::BeforePublish)) ...
//   ...after every worker stopped: hooks.reset();          // plugins' deinit runs here
#pragma once

#include <chrono>
#include <memory>
#include <stdexcept>

#include "config/config.h"
#include "hook/acl/acl_hook.h"
#include "hook/acl/acl_store.h"
#include "hook/hook_chain.h"

namespace akasa::broker {

// A plugin that cannot load or initialise, or an ACL file that cannot be read: the server
// does not start. The message names the plugin or file.
class HookStartError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

class HookServices {
  public:
    // Loads the plugins (their init runs here, on the calling thread) and the ACL file.
    explicit HookServices(const config::Config& config);
    ~HookServices();
    HookServices(const HookServices&) = delete;
    HookServices& operator=(const HookServices&) = delete;

    hook::HookChain chain;
    // Null without acl_file. The engine asks acl->can_deliver() before sending a message.
    std::shared_ptr<hook::acl::AclHook> acl;
    std::chrono::seconds timeout;

    // No hook at all: connections need no hook state.
    bool empty() const { return chain.size() == 0; }

    // SIGHUP: reads the ACL file again. A file that fails to load keeps the previous rules;
    // either way the outcome is logged. Thread-safe (workers keep checking meanwhile).
    void reload_acl();

  private:
    std::shared_ptr<hook::acl::AclStore> acl_store_;
};

}  // namespace akasa::broker
