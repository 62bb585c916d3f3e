// PROXY protocol v1/v2 parser (HAProxy proxy-protocol.txt). Every malformed case is a test.
#include "net/proxy/proxy_header.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace akasa::net::proxy {
namespace {

using Bytes = std::vector<std::uint8_t>;

Bytes bytes_of(std::string_view text) {
    return {text.begin(), text.end()};
}

void put_u16(Bytes& out, std::size_t v) {
    out.push_back(static_cast<std::uint8_t>(v >> 8));
    out.push_back(static_cast<std::uint8_t>(v));
}

Bytes tlv(std::uint8_t type, const Bytes& value) {
    Bytes out{type};
    put_u16(out, value.size());
    out.insert(out.end(), value.begin(), value.end());
    return out;
}

// Builds a v2 header: fixed part with the given version/command and family/transport bytes,
// then `block` (addresses + TLVs), with the length field set to block.size() unless given.
Bytes v2(std::uint8_t ver_cmd, std::uint8_t fam, const Bytes& block,
         std::optional<std::size_t> length = std::nullopt) {
    Bytes out{0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a};
    out.push_back(ver_cmd);
    out.push_back(fam);
    put_u16(out, length.value_or(block.size()));
    out.insert(out.end(), block.begin(), block.end());
    return out;
}

// 192.0.2.1:56324 -> 198.51.100.7:1883
Bytes ipv4_block() {
    return {192, 0, 2, 1, 198, 51, 100, 7, 0xdc, 0x04, 0x07, 0x5b};
}

Bytes ipv6_block() {
    Bytes b(36, 0);
    b[0] = 0x20;
    b[1] = 0x01;
    b[2] = 0x0d;
    b[3] = 0xb8;
    b[15] = 1;  // 2001:db8::1
    b[31] = 1;  // ::1
    b[32] = 0x30;
    b[33] = 0x39;  // 12345
    b[34] = 0x22;
    b[35] = 0xb3;  // 8883
    return b;
}

Bytes concat(Bytes a, const Bytes& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

ProxyParseResult parse(const Bytes& b) {
    return parse_proxy_header(b);
}

void expect_error(const Bytes& b, std::string_view fragment) {
    auto r = parse(b);
    ASSERT_EQ(r.status, ProxyParseStatus::Error) << "expected an error containing " << fragment;
    EXPECT_NE(r.error.find(fragment), std::string::npos) << r.error;
}

// --- v2 ---

TEST(ProxyV2, TcpOverIpv4) {
    Bytes mqtt = {0x10, 0x0c};  // start of a CONNECT: must not be consumed
    Bytes header = v2(0x21, 0x11, ipv4_block());
    auto r = parse(concat(header, mqtt));
    ASSERT_EQ(r.status, ProxyParseStatus::Complete) << r.error;
    EXPECT_EQ(r.size, header.size());
    EXPECT_EQ(r.header.version, ProxyVersion::V2);
    EXPECT_EQ(r.header.command, ProxyCommand::Proxy);
    ASSERT_TRUE(r.header.source);
    EXPECT_EQ(r.header.source->to_string(), "192.0.2.1:56324");
    EXPECT_EQ(r.header.destination->to_string(), "198.51.100.7:1883");
}

TEST(ProxyV2, TcpOverIpv6) {
    auto r = parse(v2(0x21, 0x21, ipv6_block()));
    ASSERT_EQ(r.status, ProxyParseStatus::Complete) << r.error;
    EXPECT_EQ(r.header.source->to_string(), "[2001:db8::1]:12345");
    EXPECT_EQ(r.header.destination->to_string(), "[::1]:8883");
}

TEST(ProxyV2, IncompleteIsNeedMoreAtEveryLength) {
    Bytes header = v2(0x21, 0x11, concat(ipv4_block(), tlv(tlv_type::kAuthority, bytes_of("a"))));
    for (std::size_t n = 0; n < header.size(); ++n) {
        auto r = parse_proxy_header(std::span(header).first(n));
        EXPECT_EQ(r.status, ProxyParseStatus::NeedMore) << "at " << n << ": " << r.error;
    }
    EXPECT_EQ(parse(header).status, ProxyParseStatus::Complete);
}

TEST(ProxyV2, LocalCommandIgnoresTheBlock) {
    // LOCAL: health check from the proxy; even garbage in the block is to be ignored.
    Bytes block = {0xff, 0xff, 0xff};
    auto r = parse(v2(0x20, 0x00, block));
    ASSERT_EQ(r.status, ProxyParseStatus::Complete) << r.error;
    EXPECT_EQ(r.header.command, ProxyCommand::Local);
    EXPECT_FALSE(r.header.source);
    EXPECT_EQ(r.size, 16u + 3u);
}

TEST(ProxyV2, LocalWithInetFamilyStillUsesRealEndpoints) {
    auto r = parse(v2(0x20, 0x11, ipv4_block()));
    ASSERT_EQ(r.status, ProxyParseStatus::Complete);
    EXPECT_FALSE(r.header.source);
}

TEST(ProxyV2, UnspecFamilyHasNoAddresses) {
    auto r = parse(v2(0x21, 0x00, {}));
    ASSERT_EQ(r.status, ProxyParseStatus::Complete) << r.error;
    EXPECT_EQ(r.header.command, ProxyCommand::Proxy);
    EXPECT_FALSE(r.header.source);
    EXPECT_FALSE(r.header.destination);
}

TEST(ProxyV2, UdpAndUnixFallBackToRealEndpoints) {
    auto udp = parse(v2(0x21, 0x12, ipv4_block()));
    ASSERT_EQ(udp.status, ProxyParseStatus::Complete) << udp.error;
    EXPECT_FALSE(udp.header.source);
    auto unix_stream = parse(v2(0x21, 0x31, Bytes(216, 'x')));
    ASSERT_EQ(unix_stream.status, ProxyParseStatus::Complete) << unix_stream.error;
    EXPECT_FALSE(unix_stream.header.source);
}

TEST(ProxyV2, KnownTlvsAreParsed) {
    Bytes ssl_value = {SslInfo::kClientSsl | SslInfo::kClientCertConn, 0, 0, 0, 0};
    ssl_value = concat(ssl_value, tlv(tlv_type::kSslVersion, bytes_of("TLSv1.3")));
    ssl_value = concat(ssl_value, tlv(tlv_type::kSslCn, bytes_of("device-42")));
    ssl_value = concat(ssl_value, tlv(tlv_type::kSslCipher, bytes_of("TLS_AES_128_GCM_SHA256")));
    ssl_value = concat(ssl_value, tlv(tlv_type::kSslSigAlg, bytes_of("SHA256")));
    ssl_value = concat(ssl_value, tlv(tlv_type::kSslKeyAlg, bytes_of("RSA2048")));
    ssl_value = concat(ssl_value, tlv(0x2f, bytes_of("future")));
    Bytes block = ipv4_block();
    block = concat(block, tlv(tlv_type::kAlpn, bytes_of("mqtt")));
    block = concat(block, tlv(tlv_type::kAuthority, bytes_of("broker.example.com")));
    block = concat(block, tlv(tlv_type::kUniqueId, bytes_of("abc")));
    block = concat(block, tlv(tlv_type::kNoop, Bytes(5, 0)));
    block = concat(block, tlv(tlv_type::kSsl, ssl_value));
    block = concat(block, tlv(0xe0, Bytes{1, 2, 3}));  // custom range: kept raw
    block = concat(block, tlv(tlv_type::kNetns, bytes_of("blue")));

    auto r = parse(v2(0x21, 0x11, block));
    ASSERT_EQ(r.status, ProxyParseStatus::Complete) << r.error;
    const ProxyHeader& h = r.header;
    EXPECT_EQ(h.alpn, "mqtt");
    EXPECT_EQ(h.authority, "broker.example.com");
    EXPECT_EQ(h.unique_id, bytes_of("abc"));
    ASSERT_TRUE(h.ssl);
    EXPECT_TRUE(h.ssl->client_ssl());
    EXPECT_TRUE(h.ssl->client_cert_verified());
    EXPECT_EQ(h.ssl->version, "TLSv1.3");
    EXPECT_EQ(h.ssl->cn, "device-42");
    EXPECT_EQ(h.ssl->cipher, "TLS_AES_128_GCM_SHA256");
    EXPECT_EQ(h.ssl->sig_alg, "SHA256");
    EXPECT_EQ(h.ssl->key_alg, "RSA2048");
    ASSERT_EQ(h.ssl->other.size(), 1u);
    EXPECT_EQ(h.ssl->other[0].type, 0x2f);
    ASSERT_EQ(h.other.size(), 2u);
    EXPECT_EQ(h.other[0], (RawTlv{0xe0, {1, 2, 3}}));
    EXPECT_EQ(h.other[1].type, tlv_type::kNetns);
}

TEST(ProxyV2, SslVerifyFailureIsReported) {
    Bytes ssl_value = {SslInfo::kClientSsl | SslInfo::kClientCertSess, 0, 0, 0, 9};
    auto r = parse(v2(0x21, 0x11, concat(ipv4_block(), tlv(tlv_type::kSsl, ssl_value))));
    ASSERT_EQ(r.status, ProxyParseStatus::Complete) << r.error;
    EXPECT_EQ(r.header.ssl->verify, 9u);
    EXPECT_FALSE(r.header.ssl->client_cert_verified());
}

TEST(ProxyV2, Crc32cIsVerified) {
    // The header with a zeroed CRC field, then the checksum patched in.
    Bytes block = concat(ipv4_block(), tlv(tlv_type::kCrc32c, Bytes(4, 0)));
    Bytes header = v2(0x21, 0x11, block);
    std::uint32_t crc = detail::crc32c(header);
    std::size_t at = header.size() - 4;
    for (int i = 0; i < 4; ++i)
        header[at + i] = static_cast<std::uint8_t>(crc >> (24 - 8 * i));
    auto ok = parse(header);
    ASSERT_EQ(ok.status, ProxyParseStatus::Complete) << ok.error;
    EXPECT_TRUE(ok.header.other.empty());

    header[at + 3] ^= 1;
    expect_error(header, "CRC32C mismatch");
}

TEST(ProxyV2, Crc32cKnownVector) {
    // RFC 3720 B.4: CRC-32C of 32 bytes of zeros.
    EXPECT_EQ(detail::crc32c(Bytes(32, 0)), 0x8a9136aau);
    EXPECT_EQ(detail::crc32c(bytes_of("123456789")), 0xe3069283u);
}

TEST(ProxyV2, BadSignatureIsRefusedEarly) {
    Bytes b = {0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x55};
    expect_error(b, "bad signature");
}

TEST(ProxyV2, WrongVersion) {
    expect_error(v2(0x11, 0x11, ipv4_block()), "unsupported version 1");
    expect_error(v2(0x31, 0x11, ipv4_block()), "unsupported version 3");
}

TEST(ProxyV2, UnknownCommand) {
    expect_error(v2(0x22, 0x11, ipv4_block()), "unknown command");
}

TEST(ProxyV2, UnknownFamilyOrTransport) {
    expect_error(v2(0x21, 0x41, ipv4_block()), "unknown address family");
    expect_error(v2(0x21, 0x13, ipv4_block()), "unknown transport");
}

TEST(ProxyV2, BadFixedBytesRefusedBeforeTheLength) {
    Bytes b = v2(0x21, 0x51, ipv4_block());
    b.resize(14);
    expect_error(b, "unknown address family");
}

TEST(ProxyV2, LengthTooShortForTheFamily) {
    expect_error(v2(0x21, 0x11, Bytes(11, 0)), "too short");
    expect_error(v2(0x21, 0x21, Bytes(35, 0)), "too short");
    expect_error(v2(0x21, 0x31, Bytes(215, 0)), "too short");
}

TEST(ProxyV2, TruncatedTlvHeader) {
    expect_error(v2(0x21, 0x11, concat(ipv4_block(), Bytes{0x01, 0x00})), "truncated TLV");
}

TEST(ProxyV2, TlvOverrunsTheHeader) {
    Bytes bad = {tlv_type::kAuthority, 0x00, 0x09, 'a', 'b'};
    expect_error(v2(0x21, 0x11, concat(ipv4_block(), bad)), "runs past");
}

TEST(ProxyV2, SslTlvTooShort) {
    expect_error(v2(0x21, 0x11, concat(ipv4_block(), tlv(tlv_type::kSsl, {1, 0, 0, 0}))),
                 "SSL TLV shorter");
}

TEST(ProxyV2, SslSubTlvOverruns) {
    Bytes ssl_value = {1, 0, 0, 0, 0, tlv_type::kSslCn, 0x00, 0x05, 'a'};
    expect_error(v2(0x21, 0x11, concat(ipv4_block(), tlv(tlv_type::kSsl, ssl_value))), "runs past");
}

TEST(ProxyV2, UniqueIdOver128Bytes) {
    expect_error(v2(0x21, 0x11, concat(ipv4_block(), tlv(tlv_type::kUniqueId, Bytes(129, 1)))),
                 "UNIQUE_ID");
    auto r = parse(v2(0x21, 0x11, concat(ipv4_block(), tlv(tlv_type::kUniqueId, Bytes(128, 1)))));
    EXPECT_EQ(r.status, ProxyParseStatus::Complete);
}

TEST(ProxyV2, Crc32cWrongSize) {
    expect_error(v2(0x21, 0x11, concat(ipv4_block(), tlv(tlv_type::kCrc32c, {1, 2}))),
                 "not 4 bytes");
}

TEST(ProxyV2, MaximumLengthIsAccepted) {
    Bytes block = concat(ipv4_block(), tlv(0xee, Bytes(0xffff - 12 - 3, 7)));
    auto r = parse(v2(0x21, 0x11, block));
    ASSERT_EQ(r.status, ProxyParseStatus::Complete) << r.error;
    EXPECT_EQ(r.size, kMaxV2HeaderSize);
}

// --- v1 ---

TEST(ProxyV1, Tcp4) {
    std::string line = "PROXY TCP4 192.0.2.1 198.51.100.7 56324 1883\r\n";
    auto r = parse(bytes_of(line + "\x10\x0c"));
    ASSERT_EQ(r.status, ProxyParseStatus::Complete) << r.error;
    EXPECT_EQ(r.size, line.size());
    EXPECT_EQ(r.header.version, ProxyVersion::V1);
    EXPECT_EQ(r.header.command, ProxyCommand::Proxy);
    EXPECT_EQ(r.header.source->to_string(), "192.0.2.1:56324");
    EXPECT_EQ(r.header.destination->to_string(), "198.51.100.7:1883");
}

TEST(ProxyV1, Tcp6) {
    auto r = parse(bytes_of("PROXY TCP6 2001:db8::1 ::1 65535 0\r\n"));
    ASSERT_EQ(r.status, ProxyParseStatus::Complete) << r.error;
    EXPECT_EQ(r.header.source->to_string(), "[2001:db8::1]:65535");
    EXPECT_EQ(r.header.destination->to_string(), "[::1]:0");
}

TEST(ProxyV1, UnknownIgnoresTheRestOfTheLine) {
    auto r = parse(bytes_of("PROXY UNKNOWN ffff:f...f:ffff 12 whatever\r\n"));
    ASSERT_EQ(r.status, ProxyParseStatus::Complete) << r.error;
    EXPECT_FALSE(r.header.source);
    auto bare = parse(bytes_of("PROXY UNKNOWN\r\n"));
    ASSERT_EQ(bare.status, ProxyParseStatus::Complete) << bare.error;
}

TEST(ProxyV1, IncompleteIsNeedMoreAtEveryLength) {
    Bytes line = bytes_of("PROXY TCP4 192.0.2.1 198.51.100.7 56324 1883\r\n");
    for (std::size_t n = 0; n < line.size(); ++n) {
        auto r = parse_proxy_header(std::span(line).first(n));
        EXPECT_EQ(r.status, ProxyParseStatus::NeedMore) << "at " << n << ": " << r.error;
    }
}

TEST(ProxyV1, LongestValidLineIs107Bytes) {
    std::string line =
        "PROXY TCP6 ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff "
        "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 65535 65535\r\n";
    ASSERT_EQ(line.size(), 104u);
    auto r = parse(bytes_of(line));
    EXPECT_EQ(r.status, ProxyParseStatus::Complete) << r.error;
    std::string unknown = "PROXY UNKNOWN " + std::string(91, 'x') + "\r\n";
    ASSERT_EQ(unknown.size(), kMaxV1HeaderSize);
    EXPECT_EQ(parse(bytes_of(unknown)).status, ProxyParseStatus::Complete);
}

TEST(ProxyV1, NoCrlfWithin107Bytes) {
    expect_error(bytes_of("PROXY UNKNOWN " + std::string(92, 'x') + "\r\n"), "107");
    expect_error(bytes_of("PROXY UNKNOWN " + std::string(200, 'x')), "107");
}

TEST(ProxyV1, BadPrefix) {
    expect_error(bytes_of("PROXX"), "PROXY");
    expect_error(bytes_of("PROXYTCP4"), "PROXY");
    expect_error(bytes_of("GET / HTTP/1.1\r\n"), "PROXY");
}

TEST(ProxyV1, NotAProxyHeaderAtAll) {
    expect_error(Bytes{0x10, 0x0c, 0x00, 0x04}, "does not start with a PROXY");
}

TEST(ProxyV1, UnknownProtocol) {
    expect_error(bytes_of("PROXY UDP4 1.2.3.4 5.6.7.8 1 2\r\n"), "unknown protocol");
    expect_error(bytes_of("PROXY tcp4 1.2.3.4 5.6.7.8 1 2\r\n"), "unknown protocol");
}

TEST(ProxyV1, WrongFieldCount) {
    expect_error(bytes_of("PROXY TCP4 1.2.3.4 5.6.7.8 1\r\n"), "4 fields");
    expect_error(bytes_of("PROXY TCP4 1.2.3.4 5.6.7.8 1 2 3\r\n"), "4 fields");
    expect_error(bytes_of("PROXY TCP4  1.2.3.4 5.6.7.8 1 2\r\n"), "4 fields");
    expect_error(bytes_of("PROXY TCP4 1.2.3.4 5.6.7.8 1 2 \r\n"), "4 fields");
}

TEST(ProxyV1, BadAddresses) {
    expect_error(bytes_of("PROXY TCP4 1.2.3 5.6.7.8 1 2\r\n"), "invalid IPv4");
    expect_error(bytes_of("PROXY TCP4 ::1 5.6.7.8 1 2\r\n"), "invalid IPv4");
    expect_error(bytes_of("PROXY TCP4 1.2.3.4 256.6.7.8 1 2\r\n"), "invalid IPv4");
    expect_error(bytes_of("PROXY TCP6 1.2.3.4 ::1 1 2\r\n"), "invalid IPv6");
    expect_error(bytes_of("PROXY TCP6 ::g ::1 1 2\r\n"), "invalid IPv6");
}

TEST(ProxyV1, BadPorts) {
    expect_error(bytes_of("PROXY TCP4 1.2.3.4 5.6.7.8 65536 2\r\n"), "port");
    expect_error(bytes_of("PROXY TCP4 1.2.3.4 5.6.7.8 -1 2\r\n"), "port");
    expect_error(bytes_of("PROXY TCP4 1.2.3.4 5.6.7.8 01 2\r\n"), "port");
    expect_error(bytes_of("PROXY TCP4 1.2.3.4 5.6.7.8 1 2x\r\n"), "port");
}

TEST(ProxyV1, LfWithoutCr) {
    expect_error(bytes_of("PROXY UNKNOWN\n"), "LF without CR");
}

TEST(ProxyV1, CrNotFollowedByLf) {
    expect_error(bytes_of("PROXY UNKNOWN\rx"), "CR not followed");
}

TEST(ProxyV1, CrInsideTheLineIsRefusedEvenWhenTheLastByteIsCr) {
    // Found by fuzz/proxy_header_fuzz.cpp: a CR inside the line went unnoticed while the
    // bytes so far also ended in CR, so the header waited for more bytes that could never
    // make it valid, although its own prefix "PROXY T.1\r." was refused at once.
    expect_error(bytes_of("PROXY T.1\r.10:.2 52 52\r"), "CR not followed");
    expect_error(bytes_of("PROXY UNKNOWN\r\r"), "CR not followed");
}

TEST(ProxyV1, NonPrintableBytes) {
    expect_error(Bytes{'P', 'R', 'O', 'X', 'Y', ' ', 'T', 0x00}, "non-printable");
    expect_error(bytes_of("PROXY UNKNOWN \x01\r\n"), "non-printable");
}

}  // namespace
}  // namespace akasa::net::proxy
