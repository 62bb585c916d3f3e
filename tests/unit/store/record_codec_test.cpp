#include "store/record_codec.h"

#include <gtest/gtest.h>
#include <optional>
#include <string>

namespace akasa::store {
namespace {

MessageRecord sample_message() {
    MessageRecord m;
    m.topic = "sensors/7/temp";
    m.payload = std::string("21.5\0\xff", 6);
    m.qos = 2;
    m.retain = true;
    m.properties = std::string("\x01\x01\x03\x00\x04text", 9);
    m.expires_at = WallTime(std::chrono::milliseconds(1'764'000'000'123));
    return m;
}

SessionRecord sample_session() {
    SessionRecord s;
    s.client_id = "ignored: lives in the key";
    s.protocol_version = 5;
    s.expiry_interval_s = 3600;
    s.disconnected_at = WallTime(std::chrono::milliseconds(1'764'000'000'000));
    WillRecord will;
    will.topic = "clients/x/status";
    will.payload = "gone";
    will.qos = 1;
    will.retain = true;
    will.properties = "props";
    will.delay_interval_s = 30;
    will.message_expiry_interval_s = 600;
    s.will = will;
    return s;
}

TEST(RecordCodec, RetainedRoundTripWithoutTopic) {
    const MessageRecord in = sample_message();
    MessageRecord out;
    out.topic = "from the key";
    ASSERT_TRUE(decode_retained(encode_retained(in), &out).ok());
    MessageRecord expected = in;
    expected.topic = "from the key";
    EXPECT_EQ(out, expected);
}

TEST(RecordCodec, RetainedWithoutExpiryOrProperties) {
    MessageRecord in;
    in.payload = "x";
    MessageRecord out = sample_message();
    out.topic.clear();
    ASSERT_TRUE(decode_retained(encode_retained(in), &out).ok());
    EXPECT_EQ(out, in);
}

TEST(RecordCodec, RetainedExactBytes) {
    MessageRecord in;
    in.payload = "hi";
    in.qos = 1;
    in.retain = true;
    in.expires_at = WallTime(std::chrono::milliseconds(0x0102));
    const std::string expected(
        "\x01"                  // version
        "\x03"                  // flags: retain | expiry
        "\x01"                  // qos
        "\x02\x01\0\0\0\0\0\0"  // expiry, little-endian ms
        "\0\0\0\0"              // properties length
        "\x02\0\0\0hi",         // payload
        21);
    EXPECT_EQ(encode_retained(in), expected);
}

TEST(RecordCodec, SessionRoundTrip) {
    const SessionRecord in = sample_session();
    SessionRecord out;
    ASSERT_TRUE(decode_session(encode_session(in), &out).ok());
    SessionRecord expected = in;
    expected.client_id.clear();
    EXPECT_EQ(out, expected);
}

TEST(RecordCodec, SessionWithoutWillOrDisconnectTime) {
    SessionRecord in;
    in.protocol_version = 4;
    in.expiry_interval_s = 0xffffffff;
    SessionRecord out = sample_session();
    out.client_id.clear();
    ASSERT_TRUE(decode_session(encode_session(in), &out).ok());
    EXPECT_EQ(out, in);
}

TEST(RecordCodec, SessionOwnerRoundTripsWithAndWithoutAUser) {
    for (const std::optional<std::string>& owner :
         {std::optional<std::string>{}, std::optional<std::string>{"alice"},
          std::optional<std::string>{""}}) {
        SessionRecord in;
        in.owner = owner;
        SessionRecord out;
        ASSERT_TRUE(decode_session(encode_session(in), &out).ok());
        EXPECT_TRUE(out.owner_known);
        EXPECT_EQ(out.owner, owner);
    }
}

// A record written before owners were kept (flags without bit2) decodes with an unknown
// owner, which the engine lets the next CONNECT adopt.
TEST(RecordCodec, SessionFromBeforeOwnersHasAnUnknownOwner) {
    const std::string old_record("\x01\x04\x00\x3c\0\0\0", 7);
    SessionRecord out;
    out.owner = "stale";
    ASSERT_TRUE(decode_session(old_record, &out).ok());
    EXPECT_FALSE(out.owner_known);
    EXPECT_FALSE(out.owner.has_value());
    EXPECT_EQ(out.expiry_interval_s, 60u);
}

TEST(RecordCodec, SessionOwnerThatIsCutOffIsTruncated) {
    SessionRecord in;
    in.owner = "alice";
    std::string bytes = encode_session(in);
    bytes.pop_back();
    SessionRecord out;
    EXPECT_FALSE(decode_session(bytes, &out).ok());
}

TEST(RecordCodec, SubscriptionRoundTrips) {
    for (std::uint8_t handling = 0; handling <= 2; ++handling) {
        SubscriptionRecord in;
        in.qos = handling;
        in.no_local = handling == 1;
        in.retain_as_published = handling != 1;
        in.retain_handling = handling;
        if (handling != 0) in.identifier = 268435455;
        SubscriptionRecord out;
        ASSERT_TRUE(decode_subscription(encode_subscription(in), &out).ok());
        EXPECT_EQ(out, in);
    }
}

TEST(RecordCodec, QueuedRoundTripKeepsTopic) {
    const MessageRecord in = sample_message();
    MessageRecord out;
    ASSERT_TRUE(decode_queued(encode_queued(in), &out).ok());
    EXPECT_EQ(out, in);
}

TEST(RecordCodec, InflightRoundTrips) {
    InflightRecord publish_sent{7, InflightState::PublishSent, sample_message()};
    InflightRecord out;
    ASSERT_TRUE(decode_inflight(encode_inflight(publish_sent), &out).ok());
    out.packet_id = 7;
    EXPECT_EQ(out, publish_sent);

    InflightRecord pubrel_sent{9, InflightState::PubrelSent, {}};
    EXPECT_EQ(encode_inflight(pubrel_sent), std::string("\x01\x02"));
    ASSERT_TRUE(decode_inflight(encode_inflight(pubrel_sent), &out).ok());
    out.packet_id = 9;
    EXPECT_EQ(out, pubrel_sent);
}

TEST(RecordCodec, Qos2ReceivedMarker) {
    EXPECT_TRUE(decode_qos2_received(encode_qos2_received()).ok());
    EXPECT_EQ(decode_qos2_received("").code(), Status::Code::Corruption);
}

TEST(RecordCodec, FormatVersion) {
    std::uint32_t version = 0;
    ASSERT_TRUE(decode_format_version(encode_format_version(1), &version).ok());
    EXPECT_EQ(version, 1u);
}

// Every record kind refuses a version byte it does not know, saying which.
TEST(RecordCodec, UnknownVersionsAreRejected) {
    auto with_version = [](std::string value, char version) {
        value[0] = version;
        return value;
    };
    MessageRecord m;
    SessionRecord s;
    SubscriptionRecord sub;
    InflightRecord in;
    const Status statuses[] = {
        decode_retained(with_version(encode_retained(sample_message()), 2), &m),
        decode_session(with_version(encode_session(sample_session()), 9), &s),
        decode_subscription(with_version(encode_subscription({}), 0), &sub),
        decode_queued(with_version(encode_queued(sample_message()), 2), &m),
        decode_inflight(with_version(encode_inflight({}), 2), &in),
        decode_qos2_received(with_version(encode_qos2_received(), 2)),
    };
    for (const Status& status : statuses) {
        EXPECT_EQ(status.code(), Status::Code::NotSupported) << status.to_string();
        EXPECT_NE(status.message().find("version"), std::string::npos) << status.message();
    }
    EXPECT_EQ(statuses[1].message(),
              "session record version 9 is not supported (this build reads version 1)");
}

TEST(RecordCodec, TruncationsAreCorruption) {
    const std::string values[] = {encode_retained(sample_message()),
                                  encode_session(sample_session()),
                                  encode_queued(sample_message())};
    for (std::size_t kind = 0; kind < 3; ++kind) {
        const std::string& full = values[kind];
        for (std::size_t n = 0; n < full.size(); ++n) {
            const std::string cut = full.substr(0, n);
            MessageRecord m;
            SessionRecord s;
            const Status status = kind == 0   ? decode_retained(cut, &m)
                                  : kind == 1 ? decode_session(cut, &s)
                                              : decode_queued(cut, &m);
            EXPECT_EQ(status.code(), Status::Code::Corruption) << "kind " << kind << " n " << n;
        }
    }
}

TEST(RecordCodec, TrailingBytesAndBadFieldsAreCorruption) {
    MessageRecord m;
    EXPECT_EQ(decode_retained(encode_retained(sample_message()) + "x", &m).code(),
              Status::Code::Corruption);
    std::string bad_qos = encode_retained(sample_message());
    bad_qos[2] = 3;
    EXPECT_EQ(decode_retained(bad_qos, &m).code(), Status::Code::Corruption);
    std::string bad_flags = encode_retained(sample_message());
    bad_flags[1] = static_cast<char>(0x80);
    EXPECT_EQ(decode_retained(bad_flags, &m).code(), Status::Code::Corruption);

    SessionRecord s;
    std::string bad_protocol = encode_session(sample_session());
    bad_protocol[1] = 6;
    EXPECT_EQ(decode_session(bad_protocol, &s).code(), Status::Code::Corruption);

    InflightRecord in;
    EXPECT_EQ(decode_inflight(std::string("\x01\x03", 2), &in).code(), Status::Code::Corruption);

    SubscriptionRecord sub;
    EXPECT_EQ(decode_subscription(std::string("\x01\x00\x0c", 3), &sub).code(),
              Status::Code::Corruption);  // retain handling 3
}

}  // namespace
}  // namespace akasa::store
