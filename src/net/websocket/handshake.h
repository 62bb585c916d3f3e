// The server side of the WebSocket opening handshake (RFC 6455 section 4.2) for MQTT over
// WebSocket (MQTT v3.1.1 / v5.0 section 6): validates the HTTP upgrade request parsed by
// net/http, picks the MQTT subprotocol and builds the 101 response, or an HTTP error
// response for a bad request (never a silent close).
//
//   auto head = http::parse_http_request(input);        // until Complete or Error
//   UpgradeDecision d = evaluate_upgrade(head.request);
//   http::append_response(d.response, output);
//   if (!d.accepted) close_after_flush(); else { input.consume(head.size); go_websocket(); }
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "net/http/http_request.h"
#include "net/http/http_response.h"

namespace akasa::net::websocket {

struct UpgradeDecision {
    bool accepted = false;
    std::string subprotocol;      // accepted: "mqtt", "mqttv3.1" or empty when none offered
    http::HttpResponse response;  // 101 when accepted; 400/403/404/405/426 otherwise (close)
    std::string error;            // refused: a sentence for the log
};

// What one ws or wss listener asks of an upgrade beyond RFC 6455 and MQTT section 6, from
// its config; built once per listener and shared by its connections. The default accepts any
// path and any origin, as the Rust Akasa does.
struct UpgradePolicy {
    std::string listener = "ws";  // "ws" or "wss": the log names listeners.<listener>.<key>
    // `path`: the only request path (before any '?') that upgrades, compared byte for byte;
    // other paths get 404. Empty: any path (MQTT clients default to /mqtt, some use /).
    std::string path;
    // `allowed_origins`, in normal form (config/web_origin.h); nullopt: any origin. It guards
    // browsers against cross-site WebSocket hijacking: a page of another site cannot make the
    // browser send a false Origin. Non-browser clients send none (and could send any), so a
    // request without Origin is not refused by it; authentication is what stops them.
    std::optional<std::vector<std::string>> allowed_origins;
};

// Decides on an upgrade request. Subprotocols: a client that offers none is accepted and
// answered without one (older clients, raw WebSocket tools); one that offers `mqtt` gets
// `mqtt` [MQTT-6.0.0-4], whatever else it offers; one that offers `mqttv3.1` but not `mqtt`
// (MQTT 3.1 clients) gets `mqttv3.1`; one that offers only others is refused with 400, the
// log quoting what it offered. A path other than `policy.path` (when set) is refused with
// 404. With `policy.allowed_origins`, a request whose Origin fields are not all listed
// (after normalizing) is refused with 403; `error` then quotes the origin (escaped) and
// names the key.
UpgradeDecision evaluate_upgrade(const http::HttpRequest& request,
                                 const UpgradePolicy& policy = {});

// base64(SHA-1(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")), RFC 6455 4.2.2.
std::string accept_key(std::string_view client_key);

}  // namespace akasa::net::websocket
