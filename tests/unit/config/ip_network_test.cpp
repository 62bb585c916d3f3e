// Addresses and CIDR networks of `proxy_allowed_sources` (config/ip_network.h).
#include "config/ip_network.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>

#include <string>

namespace akasa::config {
namespace {

// A sockaddr for `text` (IPv4 or IPv6, no port), as accept() gives it.
sockaddr_storage address(const std::string& text) {
    sockaddr_storage storage{};
    if (text.find(':') != std::string::npos) {
        auto* v6 = reinterpret_cast<sockaddr_in6*>(&storage);
        v6->sin6_family = AF_INET6;
        EXPECT_EQ(inet_pton(AF_INET6, text.c_str(), &v6->sin6_addr), 1) << text;
    } else {
        auto* v4 = reinterpret_cast<sockaddr_in*>(&storage);
        v4->sin_family = AF_INET;
        EXPECT_EQ(inet_pton(AF_INET, text.c_str(), &v4->sin_addr), 1) << text;
    }
    return storage;
}

bool contains(const std::string& network, const std::string& peer) {
    auto n = IpNetwork::parse(network);
    EXPECT_TRUE(n) << network;
    const sockaddr_storage a = address(peer);
    return n && n->contains(reinterpret_cast<const sockaddr*>(&a));
}

std::string parse_error(const std::string& text) {
    std::string why;
    EXPECT_FALSE(IpNetwork::parse(text, &why)) << text;
    return why;
}

TEST(IpNetwork, ParsesAddressesAndNetworks) {
    EXPECT_EQ(IpNetwork::parse("127.0.0.1")->to_string(), "127.0.0.1/32");
    EXPECT_EQ(IpNetwork::parse("10.0.0.0/8")->to_string(), "10.0.0.0/8");
    EXPECT_EQ(IpNetwork::parse("0.0.0.0/0")->to_string(), "0.0.0.0/0");
    EXPECT_EQ(IpNetwork::parse("::1")->to_string(), "::1/128");
    EXPECT_EQ(IpNetwork::parse("2001:DB8::/32")->to_string(), "2001:db8::/32");
    EXPECT_EQ(IpNetwork::parse("fd00::/8")->family(), AF_INET6);
    EXPECT_EQ(IpNetwork::parse("10.1.2.0/23")->to_string(), "10.1.2.0/23");
}

TEST(IpNetwork, MatchesByPrefix) {
    EXPECT_TRUE(contains("10.0.0.0/8", "10.200.3.4"));
    EXPECT_FALSE(contains("10.0.0.0/8", "11.0.0.1"));
    EXPECT_TRUE(contains("127.0.0.2", "127.0.0.2"));
    EXPECT_FALSE(contains("127.0.0.2", "127.0.0.1"));
    EXPECT_TRUE(contains("192.168.4.0/23", "192.168.5.255"));
    EXPECT_FALSE(contains("192.168.4.0/23", "192.168.6.0"));
    EXPECT_TRUE(contains("0.0.0.0/0", "203.0.113.9"));
    EXPECT_TRUE(contains("2001:db8::/32", "2001:db8:ffff::1"));
    EXPECT_FALSE(contains("2001:db8::/32", "2001:db9::1"));
    EXPECT_TRUE(contains("::1", "::1"));
    EXPECT_FALSE(contains("::1", "::2"));
}

TEST(IpNetwork, FamiliesDoNotMixExceptIpv4MappedAddresses) {
    EXPECT_FALSE(contains("::1", "127.0.0.1"));
    EXPECT_FALSE(contains("::/0", "127.0.0.1"));
    // A dual-stack [::] listener sees IPv4 clients as ::ffff:a.b.c.d.
    EXPECT_TRUE(contains("127.0.0.0/8", "::ffff:127.0.0.2"));
    EXPECT_FALSE(contains("10.0.0.0/8", "::ffff:11.0.0.1"));
    EXPECT_FALSE(contains("0.0.0.0/0", "2001:db8::1"));
}

TEST(IpNetwork, RefusesWhatIsNotAnAddressOrANetwork) {
    EXPECT_NE(parse_error("localhost").find("not an IPv4 or IPv6 address"), std::string::npos);
    EXPECT_NE(parse_error("10.0.0.256").find("'10.0.0.256'"), std::string::npos);
    EXPECT_NE(parse_error("[::1]").find("without brackets"), std::string::npos);
    EXPECT_NE(parse_error("fe80::1%eth0").find("zone id"), std::string::npos);
    EXPECT_NE(parse_error("10.0.0.1:1883").find("not an IPv6 address"), std::string::npos);
    EXPECT_NE(parse_error("10.0.0.0/").find("prefix length '' is not a decimal number"),
              std::string::npos);
    EXPECT_NE(parse_error("10.0.0.0/x").find("'x' is not a decimal number"), std::string::npos);
    EXPECT_NE(parse_error("10.0.0.0/-1").find("not a decimal number"), std::string::npos);
}

TEST(IpNetwork, RefusesAPrefixTooLong) {
    EXPECT_NE(parse_error("10.0.0.0/33")
                  .find("prefix length 33 is too long for an IPv4 "
                        "address (at most 32)"),
              std::string::npos);
    EXPECT_NE(parse_error("::/129").find("too long for an IPv6 address (at most 128)"),
              std::string::npos);
}

TEST(IpNetwork, RefusesHostBitsAfterThePrefixAndNamesTheNetwork) {
    EXPECT_NE(parse_error("10.1.2.3/8").find("the network is 10.0.0.0/8"), std::string::npos);
    EXPECT_NE(parse_error("2001:db8::1/32").find("the network is 2001:db8::/32"),
              std::string::npos);
}

}  // namespace
}  // namespace akasa::config
