// Web origins (RFC 6454) as browsers send them in the `Origin` header of a WebSocket upgrade,
// for the `allowed_origins` list of the ws and wss listeners. One normal form serves both the
// config entries and the header, so that they compare as plain strings:
// `scheme://host[:port]` with the scheme and host in lower case (both are case-insensitive)
// and a default port (80 for http/ws, 443 for https/wss) left out, as browsers leave it out.
//
//   normalize_origin("HTTPS://Example.COM:443")   -> "https://example.com"
//   normalize_origin("https://example.com/app")   -> nullopt ("an origin has no path ...")
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace akasa::config {

// The normal form of `text`, or nullopt when it is not `scheme://host[:port]` (no path, query,
// user name or trailing slash; host: a name, an IPv4 address or an [IPv6] literal; port
// 1..65535). On failure `error`, when not null, says what is wrong. The opaque origin "null"
// (sandboxed frames, file: pages) is not an origin here: any site can make a browser send it.
std::optional<std::string> normalize_origin(std::string_view text, std::string* error = nullptr);

}  // namespace akasa::config
