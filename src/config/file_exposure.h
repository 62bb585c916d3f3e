// Files named by the config that hold secrets, checked for access by other users of the
// machine: the password file (hashes an attacker can brute-force offline), the ACL file, the
// TLS private keys, and the config file itself when it holds SCRAM secrets. The server warns
// and starts anyway (refusing would break deployments that work today); docs/security.md
// explains the modes to use.
//
//   for (const auto& warning : config::exposed_file_warnings(config, "/etc/akasa/akasa.yaml"))
//       spdlog::warn("{}", warning);
#pragma once

#include <string>
#include <vector>

#include "config/config.h"

namespace akasa::config {

// One sentence per file that others can read or write, naming the file, its mode, what it
// holds and the fix. Files that cannot be examined (missing, no permission) are skipped:
// loading them reports that.
std::vector<std::string> exposed_file_warnings(const Config& config,
                                               const std::string& config_path);

}  // namespace akasa::config
