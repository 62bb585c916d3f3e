#include "broker/hooks/hook_services.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace akasa::broker {

HookServices::HookServices(const config::Config& config) : chain(config.hook) {
    // Plugins first, in the order of the list, then the ACL: authentication answers before
    // authorization, and the ACL checks a publish as the plugins rewrote it (docs/plugins.md).
    for (const auto& plugin : config.plugins) {
        try {
            auto loaded = hook::PluginHook::load(plugin.path, plugin.options);
            spdlog::info("plugin: {}: ready", plugin.path);
            plugins_.push_back(loaded);
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

bool HookServices::can_reconfigure_plugin(std::size_t index) const {
    return index < plugins_.size() && plugins_[index]->can_reconfigure();
}

std::optional<std::string> HookServices::reconfigure_plugin(std::size_t index,
                                                            const hook::PluginOptions& options) {
    if (index >= plugins_.size()) return "no such plugin";
    return plugins_[index]->reconfigure(options);
}

void HookServices::replace_acl(hook::acl::AclRules rules, std::string path) {
    const std::size_t count = rules.rule_count();
    acl_store_->replace(std::move(rules), std::move(path));
    spdlog::info("acl_file: {}: reloaded, {} rules", acl_store_->path(), count);
}

}  // namespace akasa::broker
