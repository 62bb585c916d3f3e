// Internal to the config module: the hook keys of the top-level map (ours, not Akasa's):
// `acl_file`, `plugins` and `hook_timeout` (docs/plugins.md, docs/configuration.md).
#pragma once

#include "config/config.h"
#include "config/yaml_reader.h"

namespace akasa::config::detail {

// Fills config.acl_file, config.plugins and config.hook_timeout from `top`; a bad value is a
// ConfigError naming the key path (`plugins[1].path: is required but missing`).
void read_hook_keys(ErrorContext& ctx, const MapReader& top, Config& config);

}  // namespace akasa::config::detail
