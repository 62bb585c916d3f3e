#include "net/websocket/handshake.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <stdexcept>

#include "config/web_origin.h"
#include "text/base64.h"
#include "util/log_text.h"

namespace akasa::net::websocket {

namespace {

constexpr std::string_view kGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
// In order of preference: MQTT 3.1.1 and 5.0 name `mqtt` [MQTT-6.0.0-4]; MQTT 3.1 clients
// (and some old libraries) offer only `mqttv3.1`.
constexpr std::string_view kSupportedSubprotocols[] = {"mqtt", "mqttv3.1"};

UpgradeDecision refuse(int status, std::string message) {
    UpgradeDecision d;
    d.response = http::HttpResponse::error(status, message);
    d.error = std::move(message);
    return d;
}

// The subprotocols the client offers, over all its Sec-WebSocket-Protocol fields.
std::vector<std::string_view> offered_subprotocols(const http::HttpRequest& request) {
    std::vector<std::string_view> offered;
    for (const auto& h : request.headers) {
        if (!http::iequals(h.name, "Sec-WebSocket-Protocol")) continue;
        std::string_view list = h.value;
        while (true) {
            std::size_t comma = list.find(',');
            std::string_view item = http::trim_ows(list.substr(0, comma));
            if (!item.empty()) offered.push_back(item);
            if (comma == std::string_view::npos) break;
            list.remove_prefix(comma + 1);
        }
    }
    return offered;
}

// Our most preferred subprotocol among `offered`, or empty. Names are case-sensitive (RFC
// 6455 11.3.4): `MQTT` is not `mqtt`.
std::string_view choose_subprotocol(const std::vector<std::string_view>& offered) {
    for (std::string_view supported : kSupportedSubprotocols) {
        if (std::find(offered.begin(), offered.end(), supported) != offered.end()) {
            return supported;
        }
    }
    return {};
}

// The first Origin field (of possibly several) that is not in `allowed`, or nullptr.
const std::string* refused_origin(const http::HttpRequest& request,
                                  const std::vector<std::string>& allowed) {
    for (const auto& h : request.headers) {
        if (!http::iequals(h.name, "Origin")) continue;
        const auto origin = config::normalize_origin(h.value);
        if (!origin || std::find(allowed.begin(), allowed.end(), *origin) == allowed.end()) {
            return &h.value;
        }
    }
    return nullptr;
}

}  // namespace

std::string accept_key(std::string_view client_key) {
    std::string input(client_key);
    input += kGuid;
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int size = 0;
    if (EVP_Digest(input.data(), input.size(), digest.data(), &size, EVP_sha1(), nullptr) != 1) {
        throw std::runtime_error("SHA-1 failed in OpenSSL");
    }
    return text::base64_encode({digest.data(), size}, text::Base64Padding::Include);
}

UpgradeDecision evaluate_upgrade(const http::HttpRequest& request, const UpgradePolicy& policy) {
    if (request.method != "GET") {
        UpgradeDecision d = refuse(405, "WebSocket upgrade must use GET");
        d.response.headers.push_back({"Allow", "GET"});
        return d;
    }
    if (!policy.path.empty() && request.path() != policy.path) {
        // The client learns which path to use; the log also names the key that set it.
        UpgradeDecision d =
            refuse(404, "no WebSocket endpoint at this path (use " + policy.path + ")");
        d.error = "path " + util::quoted_for_log(request.path()) + " is not listeners." +
                  policy.listener + ".path (" + policy.path + ")";
        return d;
    }
    if (request.version_minor < 1) return refuse(400, "WebSocket upgrade needs HTTP/1.1");
    if (!request.has_token("Upgrade", "websocket")) {
        UpgradeDecision d = refuse(426, "this endpoint only speaks WebSocket");
        d.response.headers.push_back({"Upgrade", "websocket"});
        d.response.headers.push_back({"Sec-WebSocket-Version", "13"});
        return d;
    }
    if (!request.has_token("Connection", "upgrade")) {
        return refuse(400, "Connection header does not contain \"Upgrade\"");
    }
    const std::string* version = request.header("Sec-WebSocket-Version");
    if (!version || *version != "13") {
        // RFC 6455 4.2.2: say which version we understand.
        UpgradeDecision d = refuse(426, "unsupported Sec-WebSocket-Version (need 13)");
        d.response.headers.push_back({"Sec-WebSocket-Version", "13"});
        return d;
    }
    const std::string* key = request.header("Sec-WebSocket-Key");
    if (!key) return refuse(400, "missing Sec-WebSocket-Key");
    auto nonce = text::base64_decode(*key);
    if (key->size() != 24 || !nonce || nonce->size() != 16) {
        return refuse(400, "Sec-WebSocket-Key is not 16 bytes in base64");
    }
    const std::vector<std::string_view> offered = offered_subprotocols(request);
    const std::string_view subprotocol = choose_subprotocol(offered);
    if (!offered.empty() && subprotocol.empty()) {
        // RFC 6455 would allow answering without a subprotocol, but the client asked to
        // speak something else: MQTT bytes would only confuse it.
        UpgradeDecision d = refuse(400, "no supported subprotocol offered (mqtt or mqttv3.1)");
        d.error = "subprotocols offered " +
                  util::quoted_for_log(fmt::format("{}", fmt::join(offered, ", "))) +
                  " include neither mqtt nor mqttv3.1";
        return d;
    }
    if (policy.allowed_origins) {
        if (const std::string* origin = refused_origin(request, *policy.allowed_origins)) {
            // The client learns only that its origin is not allowed; the log says which.
            UpgradeDecision d = refuse(403, "origin not allowed");
            d.error = "origin " + util::quoted_for_log(*origin) + " is not in listeners." +
                      policy.listener + ".allowed_origins";
            return d;
        }
    }

    UpgradeDecision d;
    d.accepted = true;
    d.subprotocol = std::string(subprotocol);
    d.response.status = 101;
    d.response.headers.push_back({"Upgrade", "websocket"});
    d.response.headers.push_back({"Connection", "Upgrade"});
    d.response.headers.push_back({"Sec-WebSocket-Accept", accept_key(*key)});
    if (!subprotocol.empty())
        d.response.headers.push_back({"Sec-WebSocket-Protocol", d.subprotocol});
    return d;
}

}  // namespace akasa::net::websocket
