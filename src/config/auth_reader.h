// Internal to the config module: the authentication keys, `auth` (Akasa's `enable` and
// `password_file`, and ours: the password-hashing threads and the failed-login limits of
// docs/security.md) and `scram_users` (Akasa's `hashed_password` form and RFC 5802's stored
// form).
#pragma once

#include <map>
#include <string>

#include "config/config.h"
#include "config/yaml_reader.h"

namespace akasa::config::detail {

// The `auth` section under `top`. A bad value is a ConfigError naming the key path
// (`auth.failed_login_window: "0" is out of range; allowed: 1 to 86400`).
AuthConfig read_auth(ErrorContext& ctx, const MapReader& top);

// The `scram_users` map under `top`. Each user has exactly one form: `hashed_password`, or
// `stored_key` and `server_key` (32 bytes each); anything else is a ConfigError naming the
// user's key (`scram_users.bob.server_key: is required with stored_key ...`).
std::map<std::string, ScramUser> read_scram_users(ErrorContext& ctx, const MapReader& top);

}  // namespace akasa::config::detail
