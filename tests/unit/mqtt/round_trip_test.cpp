// Encode then decode gives back the same packet, for every packet type in every version,
// through the one-shot API and through StreamDecoder split at every byte offset.
#include <gtest/gtest.h>

#include "mqtt/decoder.h"
#include "mqtt/encoder.h"
#include "sample_packets.h"
#include "test_support.h"

namespace akasa::mqtt::testing {
namespace {

struct Case {
    ProtocolVersion version;
    NamedPacket sample;
};

std::vector<Case> all_cases() {
    std::vector<Case> cases;
    for (auto version : {ProtocolVersion::V31, ProtocolVersion::V311, ProtocolVersion::V5}) {
        for (auto& sample : sample_packets(version))
            cases.push_back({version, sample});
    }
    return cases;
}

class RoundTrip : public ::testing::TestWithParam<Case> {};

TEST_P(RoundTrip, EncodeThenDecodeGivesTheSamePacket) {
    const auto& [version, sample] = GetParam();
    Bytes wire;
    encode(sample.packet, version, wire);
    EXPECT_EQ(wire.size(), encoded_size(sample.packet, version));

    Packet decoded;
    const auto error = decode(wire, version, decoded);
    ASSERT_FALSE(error) << error->message;
    EXPECT_EQ(decoded.index(), sample.packet.index());
    EXPECT_TRUE(decoded == sample.packet);

    // And re-encoding the decoded packet gives the same bytes.
    Bytes again;
    encode(decoded, version, again);
    EXPECT_EQ(again, wire);
}

TEST_P(RoundTrip, StreamDecoderSplitAtEveryOffsetDecodesTheSame) {
    const auto& [version, sample] = GetParam();
    // Two copies back to back, so a split also crosses a packet boundary.
    Bytes wire;
    encode(sample.packet, version, wire);
    encode(sample.packet, version, wire);
    for (size_t split = 0; split <= wire.size(); ++split) {
        StreamDecoder decoder(version);
        std::vector<Packet> got;
        Packet packet;
        decoder.feed(std::span<const uint8_t>(wire).first(split));
        while (decoder.next(packet) == StreamDecoder::Status::Packet) {
            EXPECT_TRUE(packet == sample.packet) << "split " << split;
            got.push_back(packet);
        }
        decoder.feed(std::span<const uint8_t>(wire).subspan(split));
        while (decoder.next(packet) == StreamDecoder::Status::Packet) {
            EXPECT_TRUE(packet == sample.packet) << "split " << split;
            got.push_back(packet);
        }
        ASSERT_EQ(decoder.status(), StreamDecoder::Status::NeedMore) << decoder.error().message;
        EXPECT_EQ(got.size(), 2u) << "split " << split;
        EXPECT_EQ(decoder.buffered(), 0u);
    }
}

TEST_P(RoundTrip, StreamDecoderByteByByte) {
    const auto& [version, sample] = GetParam();
    Bytes wire;
    encode(sample.packet, version, wire);
    StreamDecoder decoder(version);
    Packet packet;
    int count = 0;
    for (uint8_t byte : wire) {
        decoder.feed(std::span<const uint8_t>(&byte, 1));
        while (decoder.next(packet) == StreamDecoder::Status::Packet) {
            EXPECT_TRUE(packet == sample.packet);
            ++count;
        }
    }
    EXPECT_EQ(count, 1);
}

INSTANTIATE_TEST_SUITE_P(AllPacketsAllVersions, RoundTrip, ::testing::ValuesIn(all_cases()),
                         [](const ::testing::TestParamInfo<Case>& info) {
                             return std::string(version_name(info.param.version)) + "_" +
                                    info.param.sample.name;
                         });

TEST(StreamDecoderVersion, SwitchesToTheVersionOfAConnect) {
    Connect connect;
    connect.version = ProtocolVersion::V5;
    connect.client_id = "c";
    Disconnect disconnect;
    disconnect.reason_code = ReasonCode::DisconnectWithWill;
    Bytes wire;
    encode(connect, wire);
    encode(disconnect, ProtocolVersion::V5, wire);

    StreamDecoder decoder(ProtocolVersion::V311);
    decoder.feed(wire);
    Packet packet;
    ASSERT_EQ(decoder.next(packet), StreamDecoder::Status::Packet);
    EXPECT_EQ(decoder.version(), ProtocolVersion::V5);
    ASSERT_EQ(decoder.next(packet), StreamDecoder::Status::Packet);
    ASSERT_TRUE(std::holds_alternative<Disconnect>(packet));
    EXPECT_EQ(std::get<Disconnect>(packet).reason_code, ReasonCode::DisconnectWithWill);
}

TEST(StreamDecoderErrors, AnErrorIsSticky) {
    StreamDecoder decoder;
    const Bytes bad{0x00, 0x00};  // reserved packet type 0
    decoder.feed(bad);
    Packet packet;
    EXPECT_EQ(decoder.next(packet), StreamDecoder::Status::Error);
    EXPECT_EQ(decoder.error().reason, ReasonCode::MalformedPacket);
    const Bytes ping{0xC0, 0x00};
    decoder.feed(ping);
    EXPECT_EQ(decoder.next(packet), StreamDecoder::Status::Error);
}

TEST(StreamDecoderErrors, RemainingLengthAboveMaximumIsRefusedBeforeTheBody) {
    StreamDecoder decoder(ProtocolVersion::V5, 1024);
    // PUBLISH announcing 2 MB: only the 4 header bytes are fed.
    Bytes header{0x30};
    encode_varint(2 * 1024 * 1024, header);
    decoder.feed(header);
    Packet packet;
    EXPECT_EQ(decoder.next(packet), StreamDecoder::Status::Error);
    EXPECT_EQ(decoder.error().reason, ReasonCode::PacketTooLarge);
}

}  // namespace
}  // namespace akasa::mqtt::testing
