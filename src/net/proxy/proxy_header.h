// PROXY protocol (HAProxy's proxy-protocol.txt, v1 text and v2 binary): the header a load
// balancer sends before the client's bytes to say who the client really is.
//
// Sans-I/O and stateless: the connection keeps every byte received so far in its input
// buffer and calls parse_proxy_header() on that prefix after each read. The parser never
// looks past the end of the header, so the bytes after `size` belong to MQTT (or to TLS when
// the proxy did not terminate it).
//
//   ProxyParseResult r = parse_proxy_header({input.data(), input.size()});
//   switch (r.status) {
//       case ProxyParseStatus::NeedMore: return;              // wait for more bytes
//       case ProxyParseStatus::Error: close(r.error); return;  // not a valid header
//       case ProxyParseStatus::Complete: input.consume(r.size); use(r.header); break;
//   }
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "config/socket_address.h"

namespace akasa::net::proxy {

enum class ProxyVersion { V1, V2 };

// v2's command nibble. v1 headers are always Proxy.
enum class ProxyCommand {
    Local,  // a health check by the proxy itself: use the real TCP endpoints
    Proxy,  // a relayed connection: `source` is the client
};

// v2 TLV types (section 2.2 of the spec).
namespace tlv_type {
inline constexpr std::uint8_t kAlpn = 0x01;
inline constexpr std::uint8_t kAuthority = 0x02;
inline constexpr std::uint8_t kCrc32c = 0x03;
inline constexpr std::uint8_t kNoop = 0x04;
inline constexpr std::uint8_t kUniqueId = 0x05;
inline constexpr std::uint8_t kSsl = 0x20;
inline constexpr std::uint8_t kSslVersion = 0x21;
inline constexpr std::uint8_t kSslCn = 0x22;
inline constexpr std::uint8_t kSslCipher = 0x23;
inline constexpr std::uint8_t kSslSigAlg = 0x24;
inline constexpr std::uint8_t kSslKeyAlg = 0x25;
inline constexpr std::uint8_t kNetns = 0x30;
}  // namespace tlv_type

// A TLV this parser does not interpret, kept verbatim for hooks.
struct RawTlv {
    std::uint8_t type = 0;
    std::vector<std::uint8_t> value;

    bool operator==(const RawTlv&) const = default;
};

// The PP2_TYPE_SSL TLV: what the proxy knows about the client's TLS session.
struct SslInfo {
    static constexpr std::uint8_t kClientSsl = 0x01;       // client connected over TLS
    static constexpr std::uint8_t kClientCertConn = 0x02;  // sent a certificate on this conn
    static constexpr std::uint8_t kClientCertSess = 0x04;  // sent one in this TLS session

    std::uint8_t client = 0;             // kClient* bit field
    std::uint32_t verify = 0;            // 0 when the client certificate was verified successfully
    std::optional<std::string> version;  // "TLSv1.3"
    std::optional<std::string> cn;       // client certificate's subject Common Name
    std::optional<std::string> cipher;   // "TLS_AES_256_GCM_SHA384"
    std::optional<std::string> sig_alg;
    std::optional<std::string> key_alg;
    std::vector<RawTlv> other;  // unknown sub-TLVs

    bool client_ssl() const { return client & kClientSsl; }
    bool client_cert_verified() const {
        return (client & (kClientCertConn | kClientCertSess)) && verify == 0;
    }
    bool operator==(const SslInfo&) const = default;
};

struct ProxyHeader {
    ProxyVersion version = ProxyVersion::V2;
    ProxyCommand command = ProxyCommand::Local;
    // Set only for a Proxy command over TCP/IPv4 or TCP/IPv6. When absent (LOCAL, v1
    // UNKNOWN, v2 UNSPEC / UNIX / UDP) the connection's real endpoints are the ones to use.
    std::optional<config::SocketAddress> source;
    std::optional<config::SocketAddress> destination;
    // v2 TLVs.
    std::optional<std::string> alpn;                     // the negotiated protocol, e.g. "mqtt"
    std::optional<std::string> authority;                // the SNI host name the client asked for
    std::optional<std::vector<std::uint8_t>> unique_id;  // <= 128 bytes
    std::optional<SslInfo> ssl;
    std::vector<RawTlv> other;  // unknown TLVs (NOOP and a verified CRC32C are dropped)
};

enum class ProxyParseStatus { NeedMore, Complete, Error };

struct ProxyParseResult {
    ProxyParseStatus status = ProxyParseStatus::NeedMore;
    std::size_t size = 0;  // Complete: bytes of header to consume
    ProxyHeader header;    // Complete
    std::string error;     // Error: a sentence for the log
};

// v1 lines are at most 107 bytes including CRLF; v2 headers 16 + 65535.
inline constexpr std::size_t kMaxV1HeaderSize = 107;
inline constexpr std::size_t kV2FixedSize = 16;
inline constexpr std::size_t kMaxV2HeaderSize = kV2FixedSize + 0xffff;

// Parses the header at the start of `received` (all bytes of the connection so far).
// NeedMore while the bytes are a valid but incomplete prefix; Error as soon as they cannot
// be the start of a valid header. Never reads past the header.
ProxyParseResult parse_proxy_header(std::span<const std::uint8_t> received);

namespace detail {
ProxyParseResult parse_v1(std::span<const std::uint8_t> received);
ProxyParseResult parse_v2(std::span<const std::uint8_t> received);
std::uint32_t crc32c(std::span<const std::uint8_t> data, std::uint32_t crc = 0);
}  // namespace detail

}  // namespace akasa::net::proxy
