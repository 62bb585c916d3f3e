// The hook layer as the engine sees it: the HookChain built at start from the config (the
// plugins of `plugins:` in order, then the ACL of `acl_file`), and what a SIGHUP may change
// in it: the ACL rules and the options of plugins that can take new ones. Shared by every
// worker; read-only for them (the ACL store swaps its rules atomically, a plugin switches
// its options itself). hook_timeout is each connection's (ClientConnection::config()).
//
//   auto hooks = std::make_unique<HookServices>(config);  // throws HookStartError
//   if (hooks->chain.any_for(HookPoint::BeforePublish)) ...
//   ...after every worker stopped: hooks.reset();          // plugins' deinit runs here
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "config/config.h"
#include "hook/acl/acl_hook.h"
#include "hook/acl/acl_store.h"
#include "hook/hook_chain.h"
#include "hook/plugin_hook.h"

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

    // No hook at all: connections need no hook state.
    bool empty() const { return chain.size() == 0; }

    // --- SIGHUP (Broker::reload, main thread; the workers keep calling the hooks) ---
    // The plugin of `plugins[index]` exports akasa_plugin_reconfigure.
    bool can_reconfigure_plugin(std::size_t index) const;
    // Gives that plugin `options`: nullopt when it took them, else why not (it keeps its
    // previous ones).
    std::optional<std::string> reconfigure_plugin(std::size_t index,
                                                  const hook::PluginOptions& options);
    // An ACL file was given at start (the ACL hook is in the chain).
    bool has_acl() const { return acl_store_ != nullptr; }
    // Puts `rules`, read from `path`, in force; later reloads read `path`.
    void replace_acl(hook::acl::AclRules rules, std::string path);

  private:
    std::shared_ptr<hook::acl::AclStore> acl_store_;
    std::vector<std::shared_ptr<hook::PluginHook>> plugins_;  // in `plugins:` order
};

}  // namespace akasa::broker
