#include "config/socket_address.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <string>

namespace akasa::config {
namespace {

TEST(SocketAddressTest, ParsesIpv4WithPort) {
    auto address = SocketAddress::parse("127.0.0.1:1883");
    ASSERT_TRUE(address);
    EXPECT_EQ(address->family(), AF_INET);
    EXPECT_EQ(address->port(), 1883);
    EXPECT_EQ(address->size(), sizeof(sockaddr_in));
    const auto* in = reinterpret_cast<const sockaddr_in*>(address->sockaddr_ptr());
    EXPECT_EQ(ntohl(in->sin_addr.s_addr), 0x7f000001u);
    EXPECT_EQ(address->to_string(), "127.0.0.1:1883");
}

TEST(SocketAddressTest, ParsesIpv6InBrackets) {
    auto address = SocketAddress::parse("[::1]:8883");
    ASSERT_TRUE(address);
    EXPECT_EQ(address->family(), AF_INET6);
    EXPECT_EQ(address->port(), 8883);
    EXPECT_EQ(address->size(), sizeof(sockaddr_in6));
    EXPECT_EQ(address->to_string(), "[::1]:8883");

    auto any = SocketAddress::parse("[::]:1883");
    ASSERT_TRUE(any);
    EXPECT_EQ(any->to_string(), "[::]:1883");

    auto full = SocketAddress::parse("[2001:DB8:0:0:0:0:0:1]:65535");
    ASSERT_TRUE(full);
    EXPECT_EQ(full->to_string(), "[2001:db8::1]:65535");
}

TEST(SocketAddressTest, AcceptsWildcardAndPortZero) {
    auto any = SocketAddress::parse("0.0.0.0:1883");
    ASSERT_TRUE(any);
    EXPECT_EQ(any->to_string(), "0.0.0.0:1883");
    auto zero = SocketAddress::parse("127.0.0.1:0");  // the OS picks the port
    ASSERT_TRUE(zero);
    EXPECT_EQ(zero->port(), 0);
}

struct BadAddress {
    const char* text;
    const char* reason_part;
};

class SocketAddressRejectTest : public testing::TestWithParam<BadAddress> {};

TEST_P(SocketAddressRejectTest, RejectsWithReason) {
    std::string why;
    EXPECT_FALSE(SocketAddress::parse(GetParam().text, &why));
    EXPECT_NE(why.find(GetParam().reason_part), std::string::npos) << why;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, SocketAddressRejectTest,
    testing::Values(
        BadAddress{"127.0.0.1", "port is missing"}, BadAddress{"127.0.0.1:", "port is missing"},
        BadAddress{"[::1]", "port is missing"}, BadAddress{"[::1]1883", "port is missing"},
        BadAddress{"127.0.0.1:65536", "between 0 and 65535"},
        BadAddress{"127.0.0.1:99999999999999999999", "between 0 and 65535"},
        BadAddress{"127.0.0.1:-1", "not a decimal number"},
        BadAddress{"127.0.0.1:18a3", "not a decimal number"},
        BadAddress{"127.0.0.1: 1883", "not a decimal number"},
        BadAddress{"localhost:1883", "host names are not accepted"},
        BadAddress{"256.0.0.1:1883", "not an IPv4 address"},
        BadAddress{"1.2.3:1883", "not an IPv4 address"},
        BadAddress{"::1:1883", "must be written in brackets"},
        BadAddress{"[::1:1883", "closing ']'"},
        BadAddress{"[fe80::1%eth0]:1883", "not an IPv6 address"},
        BadAddress{"[127.0.0.1]:1883", "not an IPv6 address"}, BadAddress{"", "port is missing"}));

TEST(SocketAddressTest, EqualityComparesFamilyAddressAndPort) {
    EXPECT_EQ(*SocketAddress::parse("10.0.0.1:1"), *SocketAddress::parse("10.0.0.1:1"));
    EXPECT_NE(*SocketAddress::parse("10.0.0.1:1"), *SocketAddress::parse("10.0.0.1:2"));
    EXPECT_NE(*SocketAddress::parse("10.0.0.1:1"), *SocketAddress::parse("10.0.0.2:1"));
    EXPECT_NE(*SocketAddress::parse("[::1]:1"), *SocketAddress::parse("127.0.0.1:1"));
    EXPECT_EQ(SocketAddress::ipv4(0x7f000001, 1883), *SocketAddress::parse("127.0.0.1:1883"));
    EXPECT_EQ(SocketAddress{}, SocketAddress{});
}

TEST(SocketAddressTest, FromSockaddrCopiesInetFamiliesOnly) {
    auto parsed = *SocketAddress::parse("[::1]:1234");
    auto copy = SocketAddress::from_sockaddr(parsed.sockaddr_ptr(), parsed.size());
    ASSERT_TRUE(copy);
    EXPECT_EQ(*copy, parsed);
    EXPECT_FALSE(SocketAddress::from_sockaddr(parsed.sockaddr_ptr(), sizeof(sockaddr_in)));
    sockaddr unix_address{};
    unix_address.sa_family = AF_UNIX;
    EXPECT_FALSE(SocketAddress::from_sockaddr(&unix_address, sizeof unix_address));
    EXPECT_FALSE(SocketAddress::from_sockaddr(nullptr, 0));
}

}  // namespace
}  // namespace akasa::config
