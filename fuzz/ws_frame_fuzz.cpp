// libFuzzer target for the WebSocket frame decoder (net/websocket/frame_codec.h), see
// fuzz/README.md. Input: one option byte, then the bytes a peer sends after the upgrade.
//   option bit 0: 0 = we are the server (frames must be masked), 1 = the client (the load tool)
//   option bits 1-2: limits: 0 = the defaults, 1 = 512-byte frames / 2 KiB messages,
//                    2 = 125 / 125, 3 = 0 / 0 (every data frame with a payload is too big)
// Properties checked, aborting on a violation (ASan/UBSan check memory and UB):
//  1. Feeding the stream whole or in reads of many sizes gives the same status, close code,
//     log sentence, MQTT bytes and frames for the peer.
//  2. No more MQTT bytes come out than went in; once not Open, feed() consumes nothing more.
//  3. What we write for the peer (pongs, close frames) is accepted by a decoder of the other
//     side, and the MQTT bytes written back with write_binary() decode to the same bytes.
#include <cstdint>
#include <span>
#include <vector>

#include "fuzz_support.h"
#include "net/websocket/frame_codec.h"

namespace {

using namespace akasa::net;
using namespace akasa::net::websocket;
using akasa::fuzz::split_reads;
using Bytes = std::vector<std::uint8_t>;

[[noreturn]] void fail(const char* what) {
    akasa::fuzz::fail("ws_frame_fuzz", what);
}

FrameLimits limits_for(std::uint8_t option) {
    switch ((option >> 1) & 3) {
        case 1:
            return {.max_frame_payload = 512, .max_message_size = 2048};
        case 2:
            return {.max_frame_payload = 125, .max_message_size = 125};
        case 3:
            return {.max_frame_payload = 0, .max_message_size = 0};
        default:
            return {};
    }
}

Bytes bytes_of(const ByteBuffer& buffer) {
    return {buffer.data(), buffer.data() + buffer.size()};
}

struct Outcome {
    FeedResult result;
    Bytes mqtt;
    Bytes wire;
};

Outcome run(const std::vector<std::span<const std::uint8_t>>& reads, FrameLimits limits,
            Endpoint endpoint) {
    WebSocketStream ws(limits, endpoint);
    ByteBuffer mqtt, wire;
    Outcome outcome;
    for (auto read : reads) {
        outcome.result = ws.feed(read, mqtt, wire);
        if (outcome.result.status != FeedStatus::Open) {
            // Property 2: a finished stream takes nothing more and says the same.
            const std::size_t mqtt_size = mqtt.size(), wire_size = wire.size();
            FeedResult again = ws.feed(read, mqtt, wire);
            if (again.status != outcome.result.status ||
                again.close_code != outcome.result.close_code || mqtt.size() != mqtt_size ||
                wire.size() != wire_size) {
                fail("a finished stream consumed more input");
            }
            break;
        }
    }
    outcome.mqtt = bytes_of(mqtt);
    outcome.wire = bytes_of(wire);
    return outcome;
}

// Property 3: the peer (the other endpoint, default limits) decodes `frames` without a
// protocol error; returns the application bytes it got.
Bytes peer_decode(const Bytes& frames, Endpoint us) {
    const Endpoint peer = us == Endpoint::Server ? Endpoint::Client : Endpoint::Server;
    WebSocketStream ws({}, peer);
    ByteBuffer mqtt, wire;
    if (ws.feed(frames, mqtt, wire).status == FeedStatus::Failed) {
        fail("the peer refuses the frames we wrote");
    }
    return bytes_of(mqtt);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::uint8_t option = data[0];
    const std::span<const std::uint8_t> stream(data + 1, size - 1);
    const FrameLimits limits = limits_for(option);
    const Endpoint endpoint = (option & 1) ? Endpoint::Client : Endpoint::Server;

    const Outcome whole = run(split_reads(stream, {}), limits, endpoint);
    const Outcome split = run(split_reads(stream, stream), limits, endpoint);
    if (whole.result.status != split.result.status ||
        whole.result.close_code != split.result.close_code ||
        whole.result.error != split.result.error) {
        fail("split reads end in another state");
    }
    if (whole.mqtt != split.mqtt) fail("split reads give other MQTT bytes");
    if (whole.wire != split.wire) fail("split reads give other frames for the peer");
    if (whole.mqtt.size() > stream.size()) fail("more MQTT bytes out than bytes in");

    if (!peer_decode(whole.wire, endpoint).empty()) fail("control frames carried MQTT bytes");
    WebSocketStream writer(limits, endpoint);
    ByteBuffer echoed;
    writer.write_binary(whole.mqtt, echoed);
    if (peer_decode(bytes_of(echoed), endpoint) != whole.mqtt) {
        fail("write_binary() does not decode to the bytes written");
    }
    return 0;
}
