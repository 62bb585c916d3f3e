#include "config/hook_keys_reader.h"

#include <fmt/format.h>

#include <string>

namespace akasa::config::detail {
namespace {

// An hour: far longer than any answer worth waiting for, short enough to catch a typo in ms.
constexpr std::uint64_t kMaxHookTimeoutSeconds = 3600;

bool absent_or_null(const YAML::Node& node) {
    return !node.IsDefined() || node.IsNull();
}

// Option values are passed to the plugin as text: numbers and booleans as written (`5`, `true`).
std::vector<std::pair<std::string, std::string>> read_options(ErrorContext& ctx,
                                                              const YAML::Node& node,
                                                              const std::string& path) {
    std::vector<std::pair<std::string, std::string>> options;
    if (absent_or_null(node)) return options;
    MapReader r(ctx, node, path, {});  // any key: the plugin defines them
    for (const auto& [key, value] : r.entries()) {
        if (!value.IsScalar()) {
            ctx.fail(value, r.path_of(key),
                     fmt::format("expected a scalar value (plugin options are passed as text), "
                                 "got {}",
                                 describe(value)));
        }
        options.emplace_back(key, value.Scalar());
    }
    return options;
}

PluginConfig read_plugin(ErrorContext& ctx, const YAML::Node& node, const std::string& path) {
    MapReader r(ctx, node, path, {"path", "options"});
    PluginConfig plugin;
    plugin.path = read_string(ctx, r.require("path"), r.path_of("path"));
    plugin.options = read_options(ctx, r.get("options"), r.path_of("options"));
    return plugin;
}

}  // namespace

void read_hook_keys(ErrorContext& ctx, const MapReader& top, Config& config) {
    if (YAML::Node acl = top.get("acl_file"); !absent_or_null(acl)) {
        config.acl_file = read_string(ctx, acl, "acl_file");
    }
    if (YAML::Node plugins = top.get("plugins"); !absent_or_null(plugins)) {
        if (!plugins.IsSequence()) {
            ctx.fail(
                plugins, "plugins",
                fmt::format("expected a list of {{path, options}}, got {}", describe(plugins)));
        }
        for (std::size_t i = 0; i < plugins.size(); ++i) {
            config.plugins.push_back(read_plugin(ctx, plugins[i], fmt::format("plugins[{}]", i)));
        }
    }
    top.read("hook_timeout", config.hook_timeout, 1, kMaxHookTimeoutSeconds);
}

}  // namespace akasa::config::detail
