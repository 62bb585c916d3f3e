// WebSocket framing (RFC 6455 section 5) as MQTT's transport: every malformed case.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "net/websocket/frame_codec.h"

namespace akasa::net::websocket {
namespace {

using Bytes = std::vector<std::uint8_t>;

const std::uint8_t kMask[4] = {0x37, 0xfa, 0x21, 0x3d};

// A client frame: masked unless told otherwise; `first` is FIN|RSV|opcode.
Bytes client_frame(std::uint8_t first, const Bytes& payload, bool masked = true) {
    Bytes out{first};
    std::uint8_t mask_bit = masked ? 0x80 : 0;
    std::uint64_t n = payload.size();
    if (n < 126) {
        out.push_back(static_cast<std::uint8_t>(mask_bit | n));
    } else if (n <= 0xffff) {
        out.push_back(mask_bit | 126);
        out.push_back(static_cast<std::uint8_t>(n >> 8));
        out.push_back(static_cast<std::uint8_t>(n));
    } else {
        out.push_back(mask_bit | 127);
        for (int s = 56; s >= 0; s -= 8)
            out.push_back(static_cast<std::uint8_t>(n >> s));
    }
    if (masked) out.insert(out.end(), kMask, kMask + 4);
    for (std::size_t i = 0; i < payload.size(); ++i) {
        out.push_back(masked ? payload[i] ^ kMask[i & 3] : payload[i]);
    }
    return out;
}

Bytes binary(const Bytes& payload) {
    return client_frame(0x82, payload);
}

Bytes concat(Bytes a, const Bytes& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

Bytes contents(const ByteBuffer& b) {
    return {b.data(), b.data() + b.size()};
}

struct Harness {
    WebSocketStream ws;
    ByteBuffer mqtt;
    ByteBuffer wire;
    explicit Harness(FrameLimits limits = {}) : ws(limits) {}
    FeedResult feed(const Bytes& b) { return ws.feed(b, mqtt, wire); }
};

const Bytes kConnect = {0x10, 0x0c, 0x00, 0x04, 'M',  'Q',  'T',
                        'T',  0x04, 0x02, 0x00, 0x3c, 0x00, 0x00};

TEST(WebSocketFrames, BinaryFrameIsUnmasked) {
    Harness h;
    auto r = h.feed(binary(kConnect));
    EXPECT_EQ(r.status, FeedStatus::Open);
    EXPECT_EQ(contents(h.mqtt), kConnect);
    EXPECT_TRUE(h.wire.empty());
}

TEST(WebSocketFrames, ByteAtATime) {
    Harness h;
    Bytes all = concat(binary(kConnect), client_frame(0x89, {'h', 'i'}));
    for (std::uint8_t byte : all)
        ASSERT_EQ(h.feed({byte}).status, FeedStatus::Open);
    EXPECT_EQ(contents(h.mqtt), kConnect);
    EXPECT_EQ(contents(h.wire), (Bytes{0x8a, 0x02, 'h', 'i'}));
}

TEST(WebSocketFrames, PacketSplitAcrossFragmentsAndContinuations) {
    Harness h;
    Bytes first(kConnect.begin(), kConnect.begin() + 5);
    Bytes middle(kConnect.begin() + 5, kConnect.begin() + 9);
    Bytes last(kConnect.begin() + 9, kConnect.end());
    Bytes all = concat(concat(client_frame(0x02, first), client_frame(0x00, middle)),
                       client_frame(0x80, last));
    EXPECT_EQ(h.feed(all).status, FeedStatus::Open);
    EXPECT_EQ(contents(h.mqtt), kConnect);
}

TEST(WebSocketFrames, PingBetweenFragmentsIsAnswered) {
    Harness h;
    Bytes all =
        concat(concat(client_frame(0x02, {1}), client_frame(0x89, {})), client_frame(0x80, {2}));
    EXPECT_EQ(h.feed(all).status, FeedStatus::Open);
    EXPECT_EQ(contents(h.mqtt), (Bytes{1, 2}));
    EXPECT_EQ(contents(h.wire), (Bytes{0x8a, 0x00}));
}

TEST(WebSocketFrames, ManyPacketsInOneFrameAndEmptyFrames) {
    Harness h;
    Bytes two = concat(kConnect, Bytes{0xc0, 0x00});
    EXPECT_EQ(h.feed(concat(binary({}), binary(two))).status, FeedStatus::Open);
    EXPECT_EQ(contents(h.mqtt), two);
}

TEST(WebSocketFrames, SixteenAndSixtyFourBitLengths) {
    Harness h;
    Bytes medium(300, 0xab);
    Bytes large(70000, 0xcd);
    EXPECT_EQ(h.feed(concat(binary(medium), binary(large))).status, FeedStatus::Open);
    EXPECT_EQ(h.mqtt.size(), 70300u);
    EXPECT_EQ(h.mqtt.data()[299], 0xab);
    EXPECT_EQ(h.mqtt.data()[70299], 0xcd);
}

TEST(WebSocketFrames, UnmaskingIsExactAtEveryOffsetAndSplit) {
    Bytes payload(1000);
    for (std::size_t i = 0; i < payload.size(); ++i)
        payload[i] = static_cast<std::uint8_t>(i * 7);
    Bytes frame = binary(payload);
    for (std::size_t chunk : {1u, 3u, 5u, 8u, 13u, 1000u}) {
        Harness h;
        for (std::size_t at = 0; at < frame.size(); at += chunk) {
            std::size_t n = std::min(chunk, frame.size() - at);
            ASSERT_EQ(h.ws.feed(std::span(frame).subspan(at, n), h.mqtt, h.wire).status,
                      FeedStatus::Open);
        }
        EXPECT_EQ(contents(h.mqtt), payload) << "chunk " << chunk;
    }
}

TEST(WebSocketFrames, PongIsIgnored) {
    Harness h;
    EXPECT_EQ(h.feed(client_frame(0x8a, {'x'})).status, FeedStatus::Open);
    EXPECT_TRUE(h.wire.empty());
}

TEST(WebSocketFrames, ClientCloseIsEchoed) {
    Harness h;
    auto r = h.feed(client_frame(0x88, {0x03, 0xe8, 'b', 'y', 'e'}));
    EXPECT_EQ(r.status, FeedStatus::Closed);
    EXPECT_EQ(r.close_code, close_code::kNormal);
    EXPECT_EQ(contents(h.wire), (Bytes{0x88, 0x02, 0x03, 0xe8}));
    // Nothing after the close is read.
    EXPECT_EQ(h.feed(binary({1})).status, FeedStatus::Closed);
    EXPECT_TRUE(h.mqtt.empty());
}

TEST(WebSocketFrames, EmptyCloseIsAnsweredEmpty) {
    Harness h;
    auto r = h.feed(client_frame(0x88, {}));
    EXPECT_EQ(r.status, FeedStatus::Closed);
    EXPECT_EQ(r.close_code, close_code::kNoStatus);
    EXPECT_EQ(contents(h.wire), (Bytes{0x88, 0x00}));
}

TEST(WebSocketFrames, ServerInitiatedCloseCompletesOnReply) {
    Harness h;
    h.ws.close(close_code::kGoingAway, "shutdown", h.wire);
    EXPECT_EQ(contents(h.wire),
              (Bytes{0x88, 0x0a, 0x03, 0xe9, 's', 'h', 'u', 't', 'd', 'o', 'w', 'n'}));
    h.wire.clear();
    h.ws.close(close_code::kGoingAway, "again", h.wire);  // only one close frame
    EXPECT_TRUE(h.wire.empty());
    // A ping after our close is not answered; the client's close ends the handshake.
    auto r = h.feed(concat(client_frame(0x89, {}), client_frame(0x88, {0x03, 0xe9})));
    EXPECT_EQ(r.status, FeedStatus::Closed);
    EXPECT_TRUE(h.wire.empty());
}

void expect_failure(const Bytes& input, std::uint16_t code, std::string_view fragment,
                    FrameLimits limits = {}) {
    Harness h(limits);
    auto r = h.feed(input);
    ASSERT_EQ(r.status, FeedStatus::Failed);
    EXPECT_EQ(r.close_code, code);
    EXPECT_NE(r.error.find(fragment), std::string::npos) << r.error;
    // A close frame with our code went out.
    Bytes wire = contents(h.wire);
    ASSERT_GE(wire.size(), 4u);
    EXPECT_EQ(wire[0], 0x88);
    EXPECT_EQ(wire[2] << 8 | wire[3], code);
    EXPECT_EQ(h.feed(binary({1})).status, FeedStatus::Failed);
}

TEST(WebSocketFrames, UnmaskedClientFrameIs1002) {
    expect_failure(client_frame(0x82, {1, 2}, false), close_code::kProtocolError, "not masked");
}

TEST(WebSocketFrames, TextFrameIs1003) {
    expect_failure(client_frame(0x81, {'h'}), close_code::kUnsupportedData, "text");
}

TEST(WebSocketFrames, ReservedBitsAre1002) {
    expect_failure(client_frame(0xc2, {1}), close_code::kProtocolError, "reserved");
    expect_failure(client_frame(0xa2, {1}), close_code::kProtocolError, "reserved");
    expect_failure(client_frame(0x92, {1}), close_code::kProtocolError, "reserved");
}

TEST(WebSocketFrames, UnknownOpcodesAre1002) {
    for (std::uint8_t op : {0x3, 0x7, 0xb, 0xf}) {
        expect_failure(client_frame(static_cast<std::uint8_t>(0x80 | op), {}),
                       close_code::kProtocolError, "opcode");
    }
}

TEST(WebSocketFrames, FragmentedControlFrameIs1002) {
    expect_failure(client_frame(0x09, {}), close_code::kProtocolError, "fragmented control");
}

TEST(WebSocketFrames, ControlFrameOver125BytesIs1002) {
    expect_failure(client_frame(0x89, Bytes(126, 0)), close_code::kProtocolError, "125");
}

TEST(WebSocketFrames, ContinuationWithoutMessageIs1002) {
    expect_failure(client_frame(0x80, {1}), close_code::kProtocolError, "continuation");
}

TEST(WebSocketFrames, NewMessageInsideFragmentedOneIs1002) {
    expect_failure(concat(client_frame(0x02, {1}), binary({2})), close_code::kProtocolError,
                   "inside a fragmented");
}

TEST(WebSocketFrames, NonMinimalLengthsAre1002) {
    Bytes sixteen = {0x82, 0x80 | 126, 0x00, 0x05, 0, 0, 0, 0, 1, 2, 3, 4, 5};
    expect_failure(sixteen, close_code::kProtocolError, "non-minimal");
    Bytes sixty_four = {0x82, 0x80 | 127, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 0, 0};
    expect_failure(sixty_four, close_code::kProtocolError, "non-minimal");
}

TEST(WebSocketFrames, LengthWithTopBitIs1002) {
    Bytes huge = {0x82, 0x80 | 127, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    expect_failure(huge, close_code::kProtocolError, "2^63");
}

TEST(WebSocketFrames, FrameOverLimitIs1009) {
    FrameLimits limits{.max_frame_payload = 10, .max_message_size = 100};
    expect_failure(binary(Bytes(11, 0)), close_code::kMessageTooBig, "frame", limits);
    Harness ok(limits);
    EXPECT_EQ(ok.feed(binary(Bytes(10, 0))).status, FeedStatus::Open);
}

TEST(WebSocketFrames, MessageOverLimitIs1009) {
    FrameLimits limits{.max_frame_payload = 10, .max_message_size = 15};
    Bytes fragments = concat(client_frame(0x02, Bytes(8, 0)), client_frame(0x80, Bytes(8, 0)));
    expect_failure(fragments, close_code::kMessageTooBig, "message", limits);
    // The limit is per message: two 8-byte messages are fine.
    Harness ok(limits);
    EXPECT_EQ(ok.feed(concat(binary(Bytes(8, 0)), binary(Bytes(8, 0)))).status, FeedStatus::Open);
}

TEST(WebSocketFrames, OversizedHeaderRefusedBeforePayloadArrives) {
    FrameLimits limits{.max_frame_payload = 1000, .max_message_size = 1000};
    Bytes header_only = {0x82, 0x80 | 127, 0, 0, 0, 1, 0, 0, 0, 0, 1, 2, 3, 4};
    expect_failure(header_only, close_code::kMessageTooBig, "frame", limits);
}

TEST(WebSocketFrames, CloseOfOneByteIs1002) {
    expect_failure(client_frame(0x88, {0x03}), close_code::kProtocolError, "1 byte");
}

TEST(WebSocketFrames, InvalidCloseCodesAre1002) {
    for (int code : {0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000}) {
        expect_failure(client_frame(0x88, {static_cast<std::uint8_t>(code >> 8),
                                           static_cast<std::uint8_t>(code)}),
                       close_code::kProtocolError, "invalid close code");
    }
    for (int code : {1000, 1001, 1002, 1003, 1007, 1011, 3000, 4999}) {
        Harness h;
        auto r = h.feed(client_frame(
            0x88, {static_cast<std::uint8_t>(code >> 8), static_cast<std::uint8_t>(code)}));
        EXPECT_EQ(r.status, FeedStatus::Closed) << code;
        EXPECT_EQ(r.close_code, code);
    }
}

TEST(WebSocketFrames, CloseReasonNotUtf8Is1007) {
    expect_failure(client_frame(0x88, {0x03, 0xe8, 0xc3, 0x28}), close_code::kInvalidPayload,
                   "UTF-8");
}

TEST(WebSocketEncoder, ServerFramesAreUnmasked) {
    ByteBuffer out;
    append_binary_frame(Bytes{1, 2, 3}, out);
    EXPECT_EQ(contents(out), (Bytes{0x82, 0x03, 1, 2, 3}));
}

TEST(WebSocketEncoder, LengthEncodings) {
    for (std::size_t n : {125u, 126u, 65535u, 65536u}) {
        ByteBuffer out;
        append_binary_frame(Bytes(n, 9), out);
        std::size_t header = n < 126 ? 2 : n <= 65535 ? 4 : 10;
        ASSERT_EQ(out.size(), header + n) << n;
        EXPECT_EQ(out.data()[1], n < 126 ? n : n <= 65535 ? 126 : 127);
    }
}

TEST(WebSocketEncoder, CloseReasonIsTruncatedTo125Bytes) {
    ByteBuffer out;
    append_close_frame(close_code::kPolicyViolation, std::string(200, 'x'), out);
    EXPECT_EQ(out.size(), 2u + 125u);
    EXPECT_EQ(out.data()[1], 125);
}

TEST(WebSocketEncoder, RoundTripThroughTheDecoderWhenMasked) {
    // Our server frame, masked as a client would, decodes to the same bytes.
    Harness h;
    EXPECT_EQ(h.feed(binary(kConnect)).status, FeedStatus::Open);
    ByteBuffer out;
    append_binary_frame(contents(h.mqtt), out);
    EXPECT_EQ(Bytes(out.data() + 2, out.data() + out.size()), kConnect);
}

// The client role (the load tool): server frames are unmasked, ours masked, and what a
// client writes is exactly what a server stream reads back.
TEST(WebSocketClientRole, ReadsUnmaskedServerFramesAndWritesMaskedOnes) {
    WebSocketStream client({}, Endpoint::Client);
    ByteBuffer mqtt, wire, server_frame;
    append_binary_frame(kConnect, server_frame);
    ASSERT_EQ(client.feed(server_frame.readable(), mqtt, wire).status, FeedStatus::Open);
    EXPECT_EQ(contents(mqtt), kConnect);

    ByteBuffer ours;
    client.write_binary(kConnect, ours);
    ASSERT_GE(ours.size(), 6u);
    EXPECT_TRUE(ours.data()[1] & 0x80);  // RFC 6455 5.3: client frames are masked
    Harness server;
    ASSERT_EQ(server.feed(contents(ours)).status, FeedStatus::Open);
    EXPECT_EQ(contents(server.mqtt), kConnect);
}

TEST(WebSocketClientRole, MaskedServerFrameIsAProtocolError) {
    WebSocketStream client({}, Endpoint::Client);
    ByteBuffer mqtt, wire;
    const auto r = client.feed(binary(kConnect), mqtt, wire);  // masked, as a client's
    EXPECT_EQ(r.status, FeedStatus::Failed);
    EXPECT_EQ(r.close_code, close_code::kProtocolError);
    // Its own close frame is masked too.
    ASSERT_GE(wire.size(), 2u);
    EXPECT_EQ(wire.data()[0], 0x88);
    EXPECT_TRUE(wire.data()[1] & 0x80);
}

TEST(WebSocketClientRole, PingIsAnsweredWithAMaskedPong) {
    WebSocketStream client({}, Endpoint::Client);
    ByteBuffer mqtt, wire, ping;
    const Bytes payload = {'h', 'i'};
    append_frame(Opcode::Ping, payload, ping);
    ASSERT_EQ(client.feed(ping.readable(), mqtt, wire).status, FeedStatus::Open);
    Harness server;  // reads the pong as a server would: masked, payload echoed
    ASSERT_EQ(server.feed(contents(wire)).status, FeedStatus::Open);
    ASSERT_EQ(wire.size(), 2u + 4u + payload.size());
    EXPECT_EQ(wire.data()[0], 0x8a);
    EXPECT_EQ(wire.data()[6] ^ wire.data()[2], 'h');
}

}  // namespace
}  // namespace akasa::net::websocket
