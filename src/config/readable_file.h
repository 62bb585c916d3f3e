// Internal to the config module: checks that files named by the config can be opened now, so
// a typo in a path fails at start with the key's name rather than at the first TLS handshake.
#pragma once

#include <optional>
#include <string>

namespace akasa::config::detail {

// nullopt when `path` is a regular file this process can open for reading; otherwise the
// reason, e.g. `cannot read "/etc/x.pem": No such file or directory`.
std::optional<std::string> unreadable_file_reason(const std::string& path);

// The whole file; throws ConfigError naming `path` and the OS error when it cannot be read.
std::string read_config_file(const std::string& path);

}  // namespace akasa::config::detail
