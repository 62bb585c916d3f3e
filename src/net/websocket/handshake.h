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

#include <string>
#include <string_view>
#include <vector>

#include "net/http/http_request.h"
#include "net/http/http_response.h"

namespace akasa::net::websocket {

// The path MQTT clients connect to (Akasa, mosquitto and MQTT.js all default to it).
inline constexpr std::string_view kMqttPath = "/mqtt";

struct UpgradeDecision {
    bool accepted = false;
    std::string subprotocol;      // accepted: "mqtt", "mqttv3.1" or empty when none offered
    http::HttpResponse response;  // 101 when accepted; 400/403/404/405/426 otherwise (close)
    std::string error;            // refused: a sentence for the log
};

// The web origins whose pages may open a WebSocket on a listener (`allowed_origins`). It guards
// browsers against cross-site WebSocket hijacking: a page of another site cannot make the
// browser send a false Origin. Non-browser clients send none (and could send any), so a
// request without Origin is not refused by it; authentication is what stops them.
struct OriginPolicy {
    std::string key;                   // "listeners.ws.allowed_origins": named in the log
    std::vector<std::string> allowed;  // in normal form (config/web_origin.h)
};

// Decides on an upgrade request. Subprotocols are taken in the client's order of
// preference; a client that offers none is accepted without one (older clients do that),
// one that offers only others is refused with 400. With `origins`, a request whose Origin
// fields are not all listed (after normalizing) is refused with 403; `error` then quotes the
// origin (escaped) and names the key.
UpgradeDecision evaluate_upgrade(const http::HttpRequest& request,
                                 const OriginPolicy* origins = nullptr);

// base64(SHA-1(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")), RFC 6455 4.2.2.
std::string accept_key(std::string_view client_key);

}  // namespace akasa::net::websocket
