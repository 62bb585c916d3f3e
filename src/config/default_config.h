// The document `akasa default-config` prints: every key of the config file with its default
// value and a comment saying what it does (Akasa's keys first, then ours). Parsing it gives
// a default-constructed Config, except for auth (see below); a unit test holds it to that.
#pragma once

#include <string>

namespace akasa::config {

// With `allow_anonymous`, auth.enable is false and no password file is named. Without it,
// auth.enable is true and auth.password_file is `./passwords` (relative to the working
// directory), which must be created with `akasa insert-password` before the server starts.
std::string default_config_yaml(bool allow_anonymous);

// The password file the non-anonymous default config names.
inline constexpr const char* kDefaultPasswordFile = "./passwords";

}  // namespace akasa::config
