// Reason code names and the v5 -> 3.x CONNACK mapping.
#include <gtest/gtest.h>

#include <string>

#include "mqtt/packets.h"
#include "mqtt/types.h"

namespace akasa::mqtt {
namespace {

TEST(ReasonCodeNames, UseTheSpecNames) {
    EXPECT_EQ(std::string(to_string(ReasonCode::MalformedPacket)), "Malformed Packet");
    EXPECT_EQ(std::string(to_string(ReasonCode::NormalDisconnection)), "Success");
    EXPECT_EQ(std::string(to_string(ReasonCode::WildcardSubscriptionsNotSupported)),
              "Wildcard Subscriptions not supported");
    EXPECT_EQ(std::string(to_string(static_cast<ReasonCode>(0x7F))), "Unknown reason code");
    EXPECT_EQ(std::string(to_string(PacketType::Auth)), "AUTH");
}

TEST(ReasonCodeValues, AliasesShareZero) {
    EXPECT_EQ(static_cast<int>(ReasonCode::NormalDisconnection), 0);
    EXPECT_EQ(static_cast<int>(ReasonCode::GrantedQoS0), 0);
    EXPECT_EQ(kNormalDisconnection, ReasonCode::Success);
    EXPECT_FALSE(is_error(ReasonCode::GrantedQoS2));
    EXPECT_TRUE(is_error(ReasonCode::UnspecifiedError));
}

TEST(ConnectReturnCodeMapping, MapsToTheClosest3xCode) {
    EXPECT_EQ(to_connect_return_code(ReasonCode::Success), ConnectReturnCode::Accepted);
    EXPECT_EQ(to_connect_return_code(ReasonCode::UnsupportedProtocolVersion),
              ConnectReturnCode::UnacceptableProtocolVersion);
    EXPECT_EQ(to_connect_return_code(ReasonCode::ClientIdentifierNotValid),
              ConnectReturnCode::IdentifierRejected);
    EXPECT_EQ(to_connect_return_code(ReasonCode::BadUserNameOrPassword),
              ConnectReturnCode::BadUserNameOrPassword);
    EXPECT_EQ(to_connect_return_code(ReasonCode::NotAuthorized), ConnectReturnCode::NotAuthorized);
    EXPECT_EQ(to_connect_return_code(ReasonCode::Banned), ConnectReturnCode::NotAuthorized);
    EXPECT_EQ(to_connect_return_code(ReasonCode::ServerBusy), ConnectReturnCode::ServerUnavailable);
    EXPECT_EQ(to_connect_return_code(ReasonCode::MalformedPacket),
              ConnectReturnCode::ServerUnavailable);
}

TEST(PacketVariant, IndexFollowsThePacketType) {
    EXPECT_EQ(packet_type(Packet{Connect{}}), PacketType::Connect);
    EXPECT_EQ(packet_type(Packet{PubRel{}}), PacketType::PubRel);
    EXPECT_EQ(packet_type(Packet{Auth{}}), PacketType::Auth);
}

TEST(PropertiesEmpty, TrueOnlyWithoutAnyProperty) {
    Properties p;
    EXPECT_TRUE(p.empty());
    p.user_properties.emplace_back("k", "v");
    EXPECT_FALSE(p.empty());
    p.clear();
    EXPECT_TRUE(p.empty());
    p.topic_alias = 1;
    EXPECT_FALSE(p.empty());
}

}  // namespace
}  // namespace akasa::mqtt
