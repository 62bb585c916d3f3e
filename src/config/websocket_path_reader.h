// Internal to the config module: `path` of the ws and wss listeners, the one URL path on
// which they accept the WebSocket upgrade (docs/configuration.md, "ws and wss: path").
#pragma once

#include <optional>
#include <string>

#include "config/yaml_reader.h"

namespace akasa::config::detail {

// `path` of the listener read by `r`: absent or null give nullopt (any path, as the Rust Akasa
// does). Otherwise it must be a request path as clients send it: starting with '/', printable
// ASCII without spaces, and without '?' or '#' (the query of a request is not compared, so a
// path with one could never match). On a listener that is not a WebSocket one (`websocket`
// false) the key is an error.
std::optional<std::string> read_websocket_path(const MapReader& r, bool websocket);

}  // namespace akasa::config::detail
