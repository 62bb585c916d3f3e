#include "broker/hooks/hook_services.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "hook/plugin_hook.h"

namespace akasa::broker {

HookServices::HookServices(const config::Config& config)
    : chain(config.hook), timeout(config.hook_timeout) {
    // Plugins first, in the order of the list, then the ACL: authentication answers before
    // authorization, and the ACL checks a publish as the plugins rewrote it (docs/plugins.md).
    for (const auto& plugin : config.plugins) {
        try {
            auto loaded = hook::PluginHook::load(plugin.path, plugin.options);
            spdlog::info("plugin: {}: ready", plugin.path);
            chain.add(std::move(loaded));
        } catch (const hook::PluginError& e) {
            throw HookStartError(e.what());
        }
    }
    if (config.acl_file) {
        try {
            acl_store_ = std::make_shared<hook::acl::AclStore>(
                hook::acl::AclRules::load(*config.acl_file), *config.acl_file);
        } catch (const hook::acl::AclFileError& e) {
            throw HookStartError(fmt::format("acl_file: {}", e.what()));
        }
        acl = std::make_shared<hook::acl::AclHook>(acl_store_);
        chain.add(acl, hook::HookChain::Switches::Ignore);
        spdlog::info("acl_file: {}: {} rules", *config.acl_file, acl_store_->rules()->rule_count());
    }
}

HookServices::~HookServices() = default;

void HookServices::reload_acl() {
    if (!acl_store_) return;
    if (auto error = acl_store_->reload()) {
        spdlog::error("acl_file: {}", *error);
        return;
    }
    spdlog::info("acl_file: {}: reloaded, {} rules", acl_store_->path(),
                 acl_store_->rules()->rule_count());
}

}  // namespace akasa::broker
