// When a write to the persistent store reaches stable storage (docs/persistence.md, "The
// promise"): the one definition the config file (`persistence.sync`) and the store share.
#pragma once

#include <optional>
#include <string_view>

namespace akasa {

enum class SyncPolicy {
    None,      // in the OS before write() returns: survives a process crash, not a power cut
    Interval,  // as None, plus a background fsync every sync_interval
    Always,    // fsynced before write() returns (group commit): survives a power cut
};

// The YAML spellings: "none", "interval", "always".
std::string_view to_string(SyncPolicy policy);
std::optional<SyncPolicy> parse_sync_policy(std::string_view name);

}  // namespace akasa
