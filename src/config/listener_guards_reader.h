// Internal to the config module: the keys that limit who may use a listener. `allowed_origins`
// (ws, wss) lists the web origins whose pages may open a WebSocket; `proxy_allowed_sources`
// (any MQTT listener with the PROXY protocol on) lists the proxies that may connect.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/ip_network.h"
#include "config/yaml_reader.h"

namespace akasa::config::detail {

// `allowed_origins` of the listener read by `r`: absent, null or ["*"] give nullopt (any
// origin); otherwise the entries in their normal form (config/web_origin.h). An empty list is
// kept: it refuses every upgrade that carries an Origin (only non-browser clients). On a
// listener that is not a WebSocket one (`websocket` false) the key is an error.
std::optional<std::vector<std::string>> read_allowed_origins(const MapReader& r, bool websocket);

// `proxy_allowed_sources` of the listener read by `r`: absent or null give an empty list (any
// source). `proxy_on` tells whether the listener reads PROXY headers, and `proxy_key` names
// the key that turns them on (`proxy_mode`, `proxy`) for the error when it is off. Entries are
// addresses or CIDR networks (config/ip_network.h); an empty list is an error (it would refuse
// every connection).
std::vector<IpNetwork> read_proxy_allowed_sources(const MapReader& r, bool proxy_on,
                                                  std::string_view proxy_key);

}  // namespace akasa::config::detail
