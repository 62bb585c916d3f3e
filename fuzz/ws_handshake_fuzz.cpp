// libFuzzer target for the WebSocket opening handshake (net/websocket/websocket_session.h:
// the request head parsed by net/http, evaluate_upgrade() and the response), see
// fuzz/README.md. Input: the bytes a client sends on a new ws/wss connection, its first
// frames possibly right behind the request head.
// Properties checked, aborting on a violation (ASan/UBSan check memory and UB):
//  1. Feeding the bytes whole or in reads of many sizes gives the same status, close code,
//     log sentence, upgrade, subprotocol, MQTT bytes and response bytes.
//  2. Nothing is sent before the request head is complete.
//  3. An accepted upgrade answers 101 with the Sec-WebSocket-Accept of the request's key and
//     only a subprotocol the client offered and MQTT defines (RFC 6455 4.2.2, MQTT 6.0).
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "fuzz_support.h"
#include "net/http/http_request.h"
#include "net/websocket/handshake.h"
#include "net/websocket/websocket_session.h"

namespace {

using namespace akasa::net;
using namespace akasa::net::websocket;
using akasa::fuzz::split_reads;
using Bytes = std::vector<std::uint8_t>;

[[noreturn]] void fail(const char* what) {
    akasa::fuzz::fail("ws_handshake_fuzz", what);
}

struct Outcome {
    FeedResult result;
    bool upgraded = false;
    std::string subprotocol;
    Bytes mqtt;
    Bytes wire;
};

Outcome run(const std::vector<std::span<const std::uint8_t>>& reads) {
    WebSocketSession session({.max_frame_payload = 4096, .max_message_size = 16384});
    ByteBuffer mqtt, wire;
    Outcome outcome;
    for (auto read : reads) {
        outcome.result = session.feed(read, mqtt, wire);
        if (outcome.result.status == FeedStatus::Open && !session.upgraded() && !wire.empty()) {
            fail("bytes sent before the request head was complete");
        }
        if (outcome.result.status != FeedStatus::Open) break;
    }
    outcome.upgraded = session.upgraded();
    outcome.subprotocol = session.subprotocol();
    outcome.mqtt.assign(mqtt.data(), mqtt.data() + mqtt.size());
    outcome.wire.assign(wire.data(), wire.data() + wire.size());
    return outcome;
}

// Property 3 on the head alone.
void check_decision(std::span<const std::uint8_t> input) {
    const http::HttpParseResult parsed = http::parse_http_request(input);
    if (parsed.status != http::HttpParseStatus::Complete) return;
    const UpgradeDecision decision = evaluate_upgrade(parsed.request);
    if (!decision.accepted) {
        if (decision.response.status < 400 || decision.error.empty()) {
            fail("a refused upgrade has no error status or no log sentence");
        }
        return;
    }
    if (decision.response.status != 101) fail("an accepted upgrade does not answer 101");
    const std::string* key = parsed.request.header("Sec-WebSocket-Key");
    std::string answered;
    for (const auto& h : decision.response.headers) {
        if (h.name == "Sec-WebSocket-Accept") answered = h.value;
    }
    if (!key || answered != accept_key(*key)) fail("wrong Sec-WebSocket-Accept");
    const std::string& sub = decision.subprotocol;
    if (!sub.empty() && ((sub != "mqtt" && sub != "mqttv3.1") ||
                         !parsed.request.has_token("Sec-WebSocket-Protocol", sub))) {
        fail("a subprotocol the client did not offer or MQTT does not define");
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::span<const std::uint8_t> input(data, size);
    const Outcome whole = run(split_reads(input, {}));
    const Outcome split = run(split_reads(input, input));
    if (whole.result.status != split.result.status ||
        whole.result.close_code != split.result.close_code ||
        whole.result.error != split.result.error || whole.upgraded != split.upgraded ||
        whole.subprotocol != split.subprotocol) {
        fail("split reads end in another state");
    }
    if (whole.mqtt != split.mqtt) fail("split reads give other MQTT bytes");
    if (whole.wire != split.wire) fail("split reads give another response");
    check_decision(input);
    return 0;
}
