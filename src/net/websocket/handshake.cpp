#include "net/websocket/handshake.h"

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
constexpr std::string_view kSupportedSubprotocols[] = {"mqtt", "mqttv3.1"};

UpgradeDecision refuse(int status, std::string message) {
    UpgradeDecision d;
    d.response = http::HttpResponse::error(status, message);
    d.error = std::move(message);
    return d;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
        s.remove_suffix(1);
    return s;
}

// Returns the first subprotocol the client lists (over all its Sec-WebSocket-Protocol
// fields) that we support; `offered` tells whether it listed any.
std::string choose_subprotocol(const http::HttpRequest& request, bool& offered) {
    offered = false;
    for (const auto& h : request.headers) {
        if (!http::iequals(h.name, "Sec-WebSocket-Protocol")) continue;
        std::string_view list = h.value;
        while (true) {
            std::size_t comma = list.find(',');
            std::string_view item = trim(list.substr(0, comma));
            if (!item.empty()) offered = true;
            // Subprotocol names are case-sensitive (RFC 6455 11.3.4).
            for (std::string_view supported : kSupportedSubprotocols) {
                if (item == supported) return std::string(item);
            }
            if (comma == std::string_view::npos) break;
            list.remove_prefix(comma + 1);
        }
    }
    return {};
}

// The first Origin field (of possibly several) that `policy` does not allow, or nullptr.
const std::string* refused_origin(const http::HttpRequest& request, const OriginPolicy& policy) {
    for (const auto& h : request.headers) {
        if (!http::iequals(h.name, "Origin")) continue;
        const auto origin = config::normalize_origin(h.value);
        if (!origin || std::find(policy.allowed.begin(), policy.allowed.end(), *origin) ==
                           policy.allowed.end()) {
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

UpgradeDecision evaluate_upgrade(const http::HttpRequest& request, const OriginPolicy* origins) {
    if (request.method != "GET") {
        UpgradeDecision d = refuse(405, "WebSocket upgrade must use GET");
        d.response.headers.push_back({"Allow", "GET"});
        return d;
    }
    if (request.path() != kMqttPath) {
        return refuse(404, "no WebSocket endpoint at " + request.target + " (use /mqtt)");
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
    bool offered = false;
    std::string subprotocol = choose_subprotocol(request, offered);
    if (offered && subprotocol.empty()) {
        return refuse(400, "no supported subprotocol offered (mqtt or mqttv3.1)");
    }
    if (origins) {
        if (const std::string* origin = refused_origin(request, *origins)) {
            // The client learns only that its origin is not allowed; the log says which.
            UpgradeDecision d = refuse(403, "origin not allowed");
            d.error = "origin " + util::quoted_for_log(*origin) + " is not in " + origins->key;
            return d;
        }
    }

    UpgradeDecision d;
    d.accepted = true;
    d.subprotocol = subprotocol;
    d.response.status = 101;
    d.response.headers.push_back({"Upgrade", "websocket"});
    d.response.headers.push_back({"Connection", "Upgrade"});
    d.response.headers.push_back({"Sec-WebSocket-Accept", accept_key(*key)});
    if (!subprotocol.empty()) d.response.headers.push_back({"Sec-WebSocket-Protocol", subprotocol});
    return d;
}

}  // namespace akasa::net::websocket
