// Internal to the config module: the `persistence` section (ours, not Akasa's), the embedded
// store of docs/persistence.md.
#pragma once

#include "config/config.h"
#include "config/yaml_reader.h"

namespace akasa::config::detail {

// The section under `top`: absent or null means memory only (a default PersistenceConfig);
// present without `enable` means enable: true. A bad value is a ConfigError naming the key
// path (`persistence.sync: "fast" is not allowed; allowed: none, interval, always`).
PersistenceConfig read_persistence(ErrorContext& ctx, const MapReader& top);

}  // namespace akasa::config::detail
