// The keys whose values differ between the config a server runs with and the file read again
// on SIGHUP, each named as in the file (`listeners.mqtt.addr`, `max_packet_size_server`,
// `auth.password_file`, `plugins[0].options`) and marked with whether a running server can
// take the new value. docs/configuration.md ("Reloading with SIGHUP") lists the same keys for
// users; config_diff_test.cpp checks that the list there matches restart_needed_keys().
//
//   auto changes = diff_config(running, next);
//   for (const auto& c : changes) if (!c.reloadable) warn("restart needed for " + c.key);
//   Config in_force = with_changes(running, next, changes);  // reloadable values only
//
// A new Config field needs an entry in config_diff.cpp: until it has one, a change to it is
// reported as kUnknownKey (restart needed), never silently taken or ignored.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "config/config.h"

namespace akasa::config {

struct KeyChange {
    std::string key;  // dotted, as written in the file
    // The values, readable ("10", "127.0.0.1:1883", "null", "[a, b]"). Both empty for values
    // that must not reach a log: scram_users entries and plugin options (they may hold
    // passwords).
    std::string before;
    std::string after;
    // The new value can be put in force without a restart. The caller may clear it (a
    // plugin that cannot take new options): a cleared change is then not applied.
    bool reloadable = false;
    // Copies this key's value from `from` into `to` (used by with_changes).
    std::function<void(Config& to, const Config& from)> apply;

    // "1000 -> 2000", or "changed" when the values are not shown.
    std::string describe() const;
};

// Named by the change that diff_config reports when two configs differ in a field it has
// no entry for (a programming error, caught by the unit tests).
inline constexpr const char* kUnknownKey = "(a key this version cannot compare)";

// Every key whose value differs, in the order of the file's documentation.
std::vector<KeyChange> diff_config(const Config& running, const Config& next);

// `running` with the new values of the reloadable `changes` (from diff_config(running,
// next)): the config the server runs with after the reload. Keys that need a restart keep
// their running value, so the next SIGHUP reports them again.
Config with_changes(const Config& running, const Config& next,
                    const std::vector<KeyChange>& changes);

// The keys that need a restart, as docs/configuration.md lists them: listener keys as
// `listeners.*.KEY` (`listeners.*` itself: adding or removing a listener), `plugins[*].path`
// and `plugins` (adding or removing a plugin). Every other key is reloadable, except that
// `acl_file` and `auth.password_file` need a restart when set or unset (not when changed
// from one path to another), and `plugins[*].options` when the plugin cannot take new
// options.
std::vector<std::string> restart_needed_keys();

}  // namespace akasa::config
